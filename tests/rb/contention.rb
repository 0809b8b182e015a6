# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# GVL contention workload for tests/e2e_ruby.sh.  Its output depends on
# nothing but the work done, so it must be byte-identical with and
# without the shim.
#
# Contention by construction first: a thread spins, holding the GVL,
# until another thread sets a flag; that thread can only run once its
# timed wait for the GVL has timed out (Ruby's 100 ms time slice) and
# the spinner, interrupted, has yielded to it.  Then two threads hand
# the GVL to each other with Thread.pass (gvl_yield), and finally two
# CPU-bound threads run beside an I/O-bound one (1-byte pipe round
# trips, each call releasing the GVL and waking a waiter, then retaking
# it and computing a little): a CPU thread woken by the I/O thread's
# release mostly finds the GVL taken back already, a failed
# reacquisition.  So does a waiter that the thread taking the GVL wakes
# to become the time-slice timer (designate_timer_thread).

# The argument: iterations of the I/O thread's work, about 200 us' worth.
work = Integer(ARGV.fetch(0, "10000"))

flag = false
started = false
spinner = Thread.new do
  started = true
  n = 0
  n += 1 until flag
  :spun
end
Thread.pass until started
setter = Thread.new { flag = true; :set }
puts "spinner #{spinner.value} setter #{setter.value}"

passers = 2.times.map do |k|
  Thread.new do
    s = 0
    2000.times do |i|
      s += (i * (k + 3)) % 11
      Thread.pass
    end
    s
  end
end
puts "passers #{passers.map(&:value).inspect}"

io_done = false
cpu = 2.times.map do
  Thread.new do
    # Until the I/O thread is done: how far it gets depends on timing,
    # so it is not printed.
    n = 0
    n += 1 until io_done
  end
end
io = Thread.new do
  r, w = IO.pipe
  sum = 0
  100.times do |i|
    # Work with the GVL held between two system calls, long beside
    # them: a thread woken by the release mostly finds the GVL taken
    # again.  When it does not, it holds the GVL for a time slice
    # (100 ms) and the I/O thread waits.
    work.times { |j| sum += (i + j) % 3 }
    w.write("x")
    r.read(1)
  end
  r.close
  w.close
  io_done = true
  sum
end
cpu.each(&:join)
puts "io #{io.value}"
