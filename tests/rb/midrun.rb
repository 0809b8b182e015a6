# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# GVL contention that begins after every thread has started, for the
# part of tests/e2e_ruby.sh where tracing starts once this prints
# "ready": then no thread starts while traced, and the shim must find
# the GVL another way than by a thread's start.  Its output depends on
# nothing but the work done.

queue = Queue.new
cpu = 2.times.map do |k|
  Thread.new do
    queue.pop
    s = 0
    3_000_000.times { |i| s += (i + k) % 7 }
    s
  end
end
io = Thread.new do
  queue.pop
  r, w = IO.pipe
  sum = 0
  200.times do |i|
    2000.times { |j| sum += (i + j) % 3 }
    w.write("x")
    r.read(1)
  end
  sum
end
puts "ready"
$stdout.flush
$stdin.gets
3.times { queue.push(:go) }
puts "cpu #{cpu.map(&:value).inspect} io #{io.value}"
