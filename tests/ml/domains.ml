(* SPDX-License-Identifier: MIT *)
(* Copyright (c) 2026 The giltrace developers *)

(* OCaml 5's master locks, one per domain, for tests/e2e_ocaml.sh: the
   main domain and the domains it spawns each run, with threads of their
   own, two threads calling Thread.yield in turns and two CPU-bound
   threads beside an I/O-bound one (as in contention.ml), so that every
   domain's master lock sees waits, yields and failed reacquisitions.
   Its output depends on nothing but the work done, so it must be
   byte-identical with and without the shim.

   The first line is written before any domain or thread exists: it
   releases the main domain's master lock, which is found then.  Each
   domain then makes a system call before its threads exist, which
   releases its own master lock first, where the main domain's was
   released: found there before anyone waits for it. *)

let yielders () =
  let sums = Array.make 2 0 and ready = Atomic.make 0 in
  let work k () =
    (* Thread.yield returns at once when nobody waits: start together. *)
    Atomic.incr ready;
    while Atomic.get ready < 2 do Thread.yield () done;
    for i = 1 to 1000 do
      sums.(k) <- sums.(k) + (i * (k + 3)) mod 11;
      Thread.yield ()
    done in
  let ts = List.init 2 (fun k -> Thread.create (work k) ()) in
  List.iter Thread.join ts;
  (sums.(0), sums.(1))

(* The I/O thread does work between two system calls, each releasing the
   lock and waking a waiting CPU thread, which mostly finds the lock
   taken back already: a failed reacquisition. *)
let convoy work =
  let io_sum = ref 0 and io_done = Atomic.make false in
  let cpu () =
    let cell = ref [] in
    while not (Atomic.get io_done) do cell := [0] done;
    ignore (Sys.opaque_identity !cell) in
  let io () =
    let r, w = Unix.pipe () in
    let b = Bytes.create 1 in
    for i = 1 to 100 do
      for j = 1 to work do io_sum := !io_sum + (i + j) mod 3 done;
      ignore (Unix.write w b 0 1);
      ignore (Unix.read r b 0 1)
    done;
    Unix.close r;
    Unix.close w;
    Atomic.set io_done true in
  let ts = Thread.create io () :: List.init 2 (fun _ -> Thread.create cpu ()) in
  List.iter Thread.join ts;
  !io_sum

let domain_work work () =
  Unix.sleepf 0.0;
  let a, b = yielders () in
  let io = convoy work in
  (a, b, io)

(* Arguments: the number of domains (the main one included), and the I/O
   thread's work between two system calls (more in native code). *)
let () =
  let arg i d = if Array.length Sys.argv > i then int_of_string Sys.argv.(i) else d in
  let domains = arg 1 3 and work = arg 2 10_000 in
  print_endline "start";
  let others = List.init (domains - 1) (fun _ -> Domain.spawn (domain_work work)) in
  let mine = domain_work work () in
  List.iteri (fun d (a, b, io) -> Printf.printf "domain %d: yielders %d %d, io %d\n" d a b io)
    (mine :: List.map Domain.join others)
