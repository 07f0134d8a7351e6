#!/usr/bin/python3
"""prom.py FILE: parse FILE strictly as the Prometheus text exposition
format (0.0.4) and print it as JSON, {name: {"type", "help", "samples":
[{"labels": {...}, "value": V}]}}; exit 1 naming the first line that breaks
the format.

Stricter than Prometheus itself, so that what passes here passes there:
only HELP and TYPE comments, both given once per metric and before its
first sample, a metric's samples together, no series twice, label values
escaped (backslash, double quote, newline) and nothing else escaped."""
import json
import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
VALUE = r'"((?:[^"\\\n]|\\[\\"n])*)"'
NUMBER = r'[+-]?(?:[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|Inf|NaN)'
HELP_RE = re.compile(rf'# HELP ({NAME}) ((?:[^\\\n]|\\[\\n])*)')
TYPE_RE = re.compile(rf'# TYPE ({NAME}) (counter|gauge|histogram|summary|untyped)')
SAMPLE_RE = re.compile(rf'({NAME})(?:\{{((?:{LABEL}={VALUE})(?:,{LABEL}={VALUE})*)?\}})? (?P<value>{NUMBER})(?: -?[0-9]+)?')
PAIR_RE = re.compile(rf'({LABEL})={VALUE}')


def unescape(s):
    return re.sub(r'\\(.)', lambda m: '\n' if m.group(1) == 'n' else m.group(1), s)


def parse(text):
    if text and not text.endswith('\n'):
        raise ValueError('the last line has no newline')
    metrics, series, done, current = {}, set(), set(), None
    for n, line in enumerate(text.splitlines(), 1):
        where = f'line {n}: {line!r}'
        m = HELP_RE.fullmatch(line) or TYPE_RE.fullmatch(line)
        if m:
            kind = 'help' if line.startswith('# HELP') else 'type'
            name = m.group(1)
            entry = metrics.setdefault(name, {'type': None, 'help': None, 'samples': []})
            if entry[kind] is not None:
                raise ValueError(f'{where}: second {kind.upper()} for {name}')
            if entry['samples']:
                raise ValueError(f'{where}: {kind.upper()} after samples of {name}')
            entry[kind] = unescape(m.group(2))
            continue
        m = SAMPLE_RE.fullmatch(line)
        if not m:
            raise ValueError(f'{where}: neither HELP, TYPE nor a sample')
        name = m.group(1)
        entry = metrics.get(name)
        if entry is None or entry['help'] is None or entry['type'] is None:
            raise ValueError(f'{where}: sample of {name} before its HELP and TYPE')
        if name != current and name in done:
            raise ValueError(f'{where}: samples of {name} are not together')
        if current is not None and current != name:
            done.add(current)
        current = name
        labels = {}
        for lm in PAIR_RE.finditer(m.group(2) or ''):
            if lm.group(1) in labels:
                raise ValueError(f'{where}: label {lm.group(1)} twice')
            labels[lm.group(1)] = unescape(lm.group(2))
        key = (name, tuple(sorted(labels.items())))
        if key in series:
            raise ValueError(f'{where}: the same series twice')
        series.add(key)
        entry['samples'].append({'labels': labels, 'value': float(m.group("value"))})
    return metrics


if __name__ == '__main__':
    try:
        with open(sys.argv[1], encoding='utf-8') as f:
            print(json.dumps(parse(f.read())))
    except ValueError as e:
        print(f'prom.py: {e}', file=sys.stderr)
        sys.exit(1)
