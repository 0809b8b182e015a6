# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
#
# One GVL per ractor, for tests/e2e_ruby.sh: the main ractor starts
# threads first (its GVL found at a thread's start), then two ractors
# run two threads each (their GVLs found where the first was).  Its
# output depends on nothing but the work done.
Warning[:experimental] = false

work = ->(n, k) { s = 0; n.times { |i| s += (i + k) % 7 }; s }
main = 2.times.map { |j| Thread.new { work.(1_000_000, j) } }
ractors = 2.times.map do |k|
  Ractor.new(k) do |k|
    2.times.map { |j| Thread.new { s = 0; 1_000_000.times { |i| s += (i + j + k) % 7 }; s } }
      .map(&:value).sum
  end
end
p [main.map(&:value), ractors.map(&:take)]
