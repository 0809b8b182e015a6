(* SPDX-License-Identifier: MIT *)
(* Copyright (c) 2026 The giltrace developers *)

(* Master lock contention workload for tests/e2e_ocaml.sh, built there
   native and bytecode.  Its output depends on nothing but the work
   done, so it must be byte-identical with and without the shim.

   The first line is written before any thread exists: writing leaves
   the runtime (a blocking section), which releases the master lock, so
   the shim finds the lock before anyone waits for it.  Then a thread
   spins, holding the lock, until another thread sets a flag; the
   setter can only run once the tick thread (every 50 ms) has made the
   spinner yield.  Then two threads call Thread.yield in turns, and
   finally two CPU-bound threads run beside an I/O-bound one (1-byte
   pipe round trips, each call releasing the lock and signalling a
   waiter after the unlock, then retaking it and computing a little):
   a CPU thread woken by the I/O thread's release mostly finds the lock
   taken back already, a failed reacquisition. *)

let spin_and_set () =
  let flag = ref false and started = ref false in
  let spinner = Thread.create (fun () ->
    started := true;
    (* Allocation: native code polls for the tick's signal there. *)
    while not !flag do ignore (Sys.opaque_identity (ref 0)) done) () in
  while not !started do Thread.yield () done;
  let setter = Thread.create (fun () -> flag := true) () in
  Thread.join spinner;
  Thread.join setter;
  print_endline "spinner stopped by setter"

let yielders () =
  let sums = Array.make 2 0 and ready = ref 0 in
  let work k () =
    (* Thread.yield returns at once when nobody waits: start together. *)
    incr ready;
    while !ready < 2 do Thread.yield () done;
    for i = 1 to 2000 do
      sums.(k) <- sums.(k) + (i * (k + 3)) mod 11;
      Thread.yield ()
    done in
  let ts = List.init 2 (fun k -> Thread.create (work k) ()) in
  List.iter Thread.join ts;
  Printf.printf "yielders %d %d\n" sums.(0) sums.(1)

let convoy work =
  let io_sum = ref 0 and io_done = ref false in
  let cpu () =
    (* Until the I/O thread is done: how far it gets depends on timing,
       so it is not printed. *)
    let cell = ref [] in
    while not !io_done do cell := [0] done;
    ignore (Sys.opaque_identity !cell) in
  let io () =
    let r, w = Unix.pipe () in
    let b = Bytes.create 1 in
    for i = 1 to 100 do
      (* Work with the lock held between two system calls, long beside
         them: a waiter woken by the release mostly finds the lock
         taken again.  When it does not, it holds the lock for a tick
         (50 ms) and the I/O thread waits. *)
      for j = 1 to work do io_sum := !io_sum + (i + j) mod 3 done;
      ignore (Unix.write w b 0 1);
      ignore (Unix.read r b 0 1)
    done;
    Unix.close r;
    Unix.close w;
    io_done := true in
  let ts = Thread.create io () :: List.init 2 (fun _ -> Thread.create cpu ()) in
  List.iter Thread.join ts;
  Printf.printf "io %d\n" !io_sum

(* The argument: iterations of the I/O thread's work, about 200 us'
   worth (more in native code than in bytecode). *)
let () =
  let work = if Array.length Sys.argv > 1 then int_of_string Sys.argv.(1) else 10_000 in
  print_endline "start";
  spin_and_set ();
  yielders ();
  convoy work
