# SPDX-License-Identifier: MIT
# Copyright (c) 2026 The giltrace developers
"""Write a CTF trace of giltrace events, as LTTng would record them, from a
list of events: for tests of the reader and the reports that need exact
times and the Python-frame events (giltrace(7)) without a recording.

    import ctf_giltrace
    ctf_giltrace.write(path, [
        {"ts": 1000, "pid": 42, "tid": 42, "procname": "python3",
         "event": "gil_release", "gil": 0x1000, "pycode": [...], "pyinstr": [...]},
        ...])

tid is the vtid context, and the tid member of an event that has one
(gil_cycles, gil_cycle_open); "vtid", if given, is the context's
instead: such an event told by another thread.

Field classes follow tracepoints/giltrace_tp.h and the Python-frame
contract: addresses are 64-bit hexadecimal integers, sequences have the
_NAME_length member LTTng writes before them, the context has vpid, vtid
and procname.  A field an event does not give is 0, "" or empty.  Needs
the libbabeltrace2 Python bindings (python3-bt2).
"""
import bt2

HEX, U8, U16, U32, U64, I32, STR = "hex", "u8", "u16", "u32", "u64", "i32", "str"

# Each event's payload, in order: (name, type), or (name, element type,
# length type) for a sequence.
EVENTS = {
    "gil_identified": [("gil", HEX), ("cond", HEX), ("kind", STR), ("method", STR), ("runtime", STR),
                       ("caller", HEX)],
    "gil_acquire_begin": [("gil", HEX), ("caller", HEX)],
    "gil_wait_begin": [("gil", HEX), ("cond", HEX), ("caller", HEX)],
    "gil_wait_end": [("gil", HEX), ("timed_out", U8), ("ret", I32), ("caller", HEX)],
    "gil_acquire_end": [("gil", HEX), ("waits", U32), ("timeouts", U32), ("caller", HEX),
                        ("backtrace", HEX, U8), ("pycode", HEX, U8), ("pyinstr", U32, U8)],
    "gil_acquire_abandon": [("gil", HEX), ("waits", U32), ("timeouts", U32), ("caller", HEX)],
    "gil_release": [("gil", HEX), ("waiters", U32), ("signalled", U8), ("caller", HEX),
                    ("backtrace", HEX, U8), ("pycode", HEX, U8), ("pyinstr", U32, U8)],
    # Per cycle, then each end's frames flattened (tracepoints/gil_cycle_rec.h).
    "gil_cycles": [("gil", HEX), ("tid", I32), ("told_ts", U64),
                   ("begin_ts", U64, U8), ("acquired_ts", U64, U8), ("released_ts", U64, U8),
                   ("begin_caller", HEX, U8), ("acquire_caller", HEX, U8), ("caller", HEX, U8),
                   ("waiters", U32, U8), ("signalled", U8, U8),
                   ("acquire_backtrace_len", U8, U8), ("acquire_backtrace", HEX, U16),
                   ("acquire_py_len", U8, U8), ("acquire_pycode", HEX, U16), ("acquire_pyinstr", U32, U16),
                   ("backtrace_len", U8, U8), ("backtrace", HEX, U16),
                   ("py_len", U8, U8), ("pycode", HEX, U16), ("pyinstr", U32, U16)],
    "py_code": [("code", HEX), ("name", STR), ("filename", STR), ("firstlineno", I32),
                ("linetable_format", U8), ("linetable", U8, U32)],
    "py_thread_target": [("target", HEX)],
    "thread_name": [("name", STR)],
    "py_frames_off": [("reason", STR)],
}


def _field_class(tc, kind):
    if kind == HEX:
        return tc.create_unsigned_integer_field_class(64, preferred_display_base=16)
    if kind == STR:
        return tc.create_string_field_class()
    if kind == I32:
        return tc.create_signed_integer_field_class(32)
    return tc.create_unsigned_integer_field_class({U8: 8, U16: 16, U32: 32, U64: 64}[kind])


def _payload_class(tc, fields):
    sfc = tc.create_structure_field_class()
    for f in fields:
        if len(f) == 2:
            sfc.append_member(f[0], _field_class(tc, f[1]))
            continue
        length = _field_class(tc, f[2])
        sfc.append_member("_%s_length" % f[0], length)
        sfc.append_member(f[0], tc.create_dynamic_array_field_class(_field_class(tc, f[1]), length))
    return sfc


def _fill(payload, fields, ev):
    for f in fields:
        value = ev.get(f[0], "" if f[1] == STR else [] if len(f) == 3 else 0)
        if len(f) == 3:
            payload["_%s_length" % f[0]] = len(value)
        payload[f[0]] = list(value) if len(f) == 3 else value


class _Iterator(bt2._UserMessageIterator):
    def __init__(self, config, port):
        self._msgs = iter(port.user_data.messages(self))

    def __next__(self):
        return next(self._msgs)


class _Source(bt2._UserSourceComponent, message_iterator_class=_Iterator):
    def __init__(self, config, params, events):
        self._events = events
        self._add_output_port("out", self)
        self._tc = self._create_trace_class()
        clock = self._create_clock_class(frequency=1000000000, name="monotonic")
        ctx = self._tc.create_structure_field_class()
        ctx.append_member("vpid", self._tc.create_signed_integer_field_class(32))
        ctx.append_member("vtid", self._tc.create_signed_integer_field_class(32))
        ctx.append_member("procname", self._tc.create_string_field_class())
        self._sc = self._tc.create_stream_class(
            default_clock_class=clock, event_common_context_field_class=ctx, supports_packets=True,
            packets_have_beginning_default_clock_snapshot=True, packets_have_end_default_clock_snapshot=True)
        self._classes = {name: self._sc.create_event_class(name="giltrace:" + name,
                                                           payload_field_class=_payload_class(self._tc, fields))
                         for name, fields in EVENTS.items()}

    def messages(self, it):
        events = sorted(self._events, key=lambda e: e["ts"])
        stream = self._tc().create_stream(self._sc)
        packet = stream.create_packet()
        yield it._create_stream_beginning_message(stream)
        yield it._create_packet_beginning_message(packet, events[0]["ts"] if events else 0)
        for ev in events:
            msg = it._create_event_message(self._classes[ev["event"]], packet, ev["ts"])
            ctx = msg.event.common_context_field
            ctx["vpid"], ctx["vtid"], ctx["procname"] = ev["pid"], ev.get("vtid", ev["tid"]), ev.get("procname", "python3")
            _fill(msg.event.payload_field, EVENTS[ev["event"]], ev)
            yield msg
        yield it._create_packet_end_message(packet, events[-1]["ts"] if events else 0)
        yield it._create_stream_end_message(stream)


def write(path, events):
    """Writes events (dicts, see above) as a CTF trace in the directory path."""
    graph = bt2.Graph()
    src = graph.add_component(_Source, "giltrace", obj=events)
    params = {"path": path, "assume-single-trace": True, "quiet": True}
    # A libbabeltrace2 that knows MIP 1 (2.1) writes CTF 2 by default,
    # which a MIP 0 graph (this source's) cannot: ask for CTF 1.8, the
    # format every version writes and reads (2.0 knows no such parameter).
    if bt2.get_maximal_mip_version() > 0:
        params["ctf-version"] = "1"
    sink = graph.add_component(bt2.find_plugin("ctf").sink_component_classes["fs"], "sink", params)
    graph.connect_ports(src.output_ports["out"], sink.input_ports["in"])
    graph.run()
