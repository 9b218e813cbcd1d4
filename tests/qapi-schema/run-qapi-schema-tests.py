#!/usr/bin/env python3
# run-qapi-schema-tests.py: checks qapi-gen.py against expected output (TAP).
"""Runs the QAPI generator on every test schema in SRCDIR.

  good-NAME.json  must generate exactly what good-NAME.out holds: every
                  generated file, in name order, each after a line
                  '==> FILE <=='.
  bad-NAME.json   must fail with exit status 1, write nothing, and print
                  exactly bad-NAME.err on stderr.

Options for the generator come from a line '# qapi-gen-options: ...' in the
schema.  Other .json files are included by the tests.  With --update, the
expected files are rewritten from what the generator does now (review the
diff before committing it).
"""

import argparse
import difflib
import os
import re
import shlex
import subprocess
import sys
import tempfile


def run_generator(generator, srcdir, schema):
    with open(os.path.join(srcdir, schema), encoding='utf-8') as f:
        match = re.search(r'^# qapi-gen-options: (.*)$', f.read(), re.M)
    options = shlex.split(match.group(1)) if match else []
    with tempfile.TemporaryDirectory(prefix='qapi-schema-test-') as outdir:
        proc = subprocess.run(
            [sys.executable, generator] + options + ['-o', outdir, schema],
            cwd=srcdir, capture_output=True, text=True, check=False)
        output = ''
        for name in sorted(os.listdir(outdir)):
            with open(os.path.join(outdir, name), encoding='utf-8') as f:
                output += '==> %s <==\n%s' % (name, f.read())
    return proc, output


def diff(expected, actual, name):
    return ''.join(difflib.unified_diff(
        expected.splitlines(True), actual.splitlines(True),
        'expected/' + name, 'actual/' + name))


def check(generator, srcdir, schema, update):
    """Returns a list of problems, empty when the test passes."""
    base = schema[:-len('.json')]
    good = base.startswith('good-')
    expected_name = base + ('.out' if good else '.err')
    expected_path = os.path.join(srcdir, expected_name)
    proc, output = run_generator(generator, srcdir, schema)
    actual = output if good else proc.stderr
    problems = []
    if good:
        if proc.returncode != 0:
            problems.append('exit status %d, stderr:\n%s'
                            % (proc.returncode, proc.stderr))
        elif proc.stderr:
            problems.append('unexpected stderr:\n' + proc.stderr)
    else:
        if proc.returncode != 1:
            problems.append('exit status %d, expected 1' % proc.returncode)
        if output:
            problems.append('wrote files although the schema is bad')
    if proc.stdout:
        problems.append('unexpected stdout:\n' + proc.stdout)
    if update and not problems:
        with open(expected_path, 'w', encoding='utf-8') as f:
            f.write(actual)
        return problems
    try:
        with open(expected_path, encoding='utf-8') as f:
            expected = f.read()
    except OSError as e:
        return problems + ['cannot read %s: %s' % (expected_name, e.strerror)]
    if actual != expected:
        problems.append('output differs from %s:\n%s'
                        % (expected_name, diff(expected, actual,
                                               expected_name)))
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--update', action='store_true',
                        help='rewrite the expected files')
    parser.add_argument('generator', help='path of qapi-gen.py')
    parser.add_argument('srcdir', help='directory of the test schemas')
    args = parser.parse_args()
    generator = os.path.abspath(args.generator)
    srcdir = args.srcdir
    files = sorted(os.listdir(srcdir))
    schemas = [f for f in files if f.endswith('.json')
               and (f.startswith('good-') or f.startswith('bad-'))]

    # An expected file without its schema is a test that no longer runs.
    orphans = [f for f in files
               if (f.startswith('good-') and f.endswith('.out')
                   or f.startswith('bad-') and f.endswith('.err'))
               and f.rsplit('.', 1)[0] + '.json' not in files]

    print('1..%d' % (len(schemas) + 1))
    failed = 0
    for n, schema in enumerate(schemas, 1):
        problems = check(generator, srcdir, schema, args.update)
        print('%sok %d - %s' % ('not ' if problems else '', n, schema))
        for problem in problems:
            for line in problem.rstrip('\n').split('\n'):
                print('# ' + line)
        failed += bool(problems)
    n = len(schemas) + 1
    if orphans:
        print('not ok %d - expected files without a schema' % n)
        print('# ' + ', '.join(orphans))
        failed += 1
    else:
        print('ok %d - every expected file has its schema' % n)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
