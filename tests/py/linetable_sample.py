# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Code whose line tables tests/py/linetable_dump.py dumps (CPython 2.7
and 3.x): never run, only compiled.  Lines without code, loops that jump
back, multi-line expressions, nested functions, lambdas, generators,
classes, comprehensions, exceptions and with statements.
"""
import sys


def simple(a, b):
    return a + b


def blank_lines_and_comments(x):
    y = x * 2

    # a comment, then blank lines


    z = y + 1
    # another comment
    return z


def loop_back(n):
    total = 0
    for i in range(n):
        if i % 2:
            total += i
        else:
            total -= 1
    while total > 10:
        total //= 2
    return total


def multi_line_call(a, b, c):
    return max(
        a,
        b,
        c,
    ) + min(a,
            b)


def multi_line_condition(a, b):
    if (a and
            b or
            not a):
        return 1
    return 2


def nested(x):
    def inner(y):
        def innermost(z):
            return x + y + z
        return innermost
    return inner(x)(x)


def with_lambdas(items):
    key = lambda item: (item[1],
                        item[0])
    return sorted(items, key=key), list(map(lambda v: v * 2, items))


def generator(n):
    for i in range(n):
        yield i
        yield -i
    yield n


def comprehensions(items):
    squares = [x * x for x in items if x]
    pairs = dict((x, y) for x in items
                 for y in items)
    unique = set(x for x in items)
    return squares, pairs, unique


def exceptions(f):
    try:
        f()
    except ValueError as e:
        print(e)
    except (TypeError,
            KeyError):
        pass
    else:
        return 1
    finally:
        sys.stdout.flush()
    return 0


def with_statement(path):
    with open(path) as f:
        data = f.read()
    with open(path) as f, open(path) as g:
        data += f.read() + g.read()
    return data


def decorator(f):
    return f


@decorator
def decorated(
        a,
        b=1,
        *args,
        **kwargs):
    return a


class Holder(object):
    attribute = 1

    def method(self):
        return self.attribute

    @staticmethod
    def static():
        return Holder.attribute

    class Inner(object):
        def deep(self):
            return 3


def early_returns(x):
    if x == 1:
        return "one"
    elif x == 2:
        return "two"
    if x > 100:
        for i in range(x):
            if i == x // 2:
                break
        else:
            return "none"
    return "many"


def spin_until(deadline, clock):
    n = 0
    while clock() < deadline:
        n += 1
    return n
