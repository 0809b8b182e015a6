# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""More code for tests/py/linetable_dump.py, CPython 3.6 and later only:
coroutines, async generators, async for and with, f-strings, keyword-only
arguments, yield from, nonlocal.
"""
import asyncio


async def coroutine(n):
    await asyncio.sleep(n)
    return n


async def async_loops(source, lock):
    total = 0
    async for item in source:
        total += item
    async with lock:
        total += 1
    return total


async def async_generator(n):
    for i in range(n):
        yield i
        await asyncio.sleep(0)


def delegating(items):
    yield from items
    yield from (
        x for x in items
    )


def formatted(name, value, *, width=10):
    return f"{name!r:>{width}} = {value:.3f}"


def counter():
    count = 0

    def bump():
        nonlocal count
        count += 1
        return count
    return bump


class Service:
    async def handle(self, request):
        try:
            return await request
        except Exception as e:
            return e
        finally:
            await asyncio.sleep(0)
