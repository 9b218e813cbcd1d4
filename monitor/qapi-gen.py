#!/usr/bin/env python3
# qapi-gen.py: writes C types, json-glib marshallers, the QMP command table,
# event senders and introspection data from a QAPI-dialect schema.
"""Generate Porthole's monitor C code from a QAPI-dialect schema.

The schema language is the one of QEMU's qapi/*.json (see QEMU's
docs/devel/qapi-code-gen.rst): JSON objects with '#' comments, single- or
double-quoted strings, one definition per top-level object:

  { 'include': 'FILE' }
  { 'pragma': { 'doc-required': BOOL, 'command-name-exceptions': [...],
                'command-returns-exceptions': [...],
                'member-name-exceptions': [...] } }
  { 'enum': NAME, 'data': [VALUE, ...], '*prefix': STR, '*if': COND,
    '*features': [...] }
  { 'struct': NAME, 'data': MEMBERS, '*base': STRUCT, '*if': COND,
    '*features': [...] }
  { 'command': NAME, '*data': MEMBERS or STRUCT, '*returns': TYPE,
    '*gen': false, '*success-response': false, '*allow-oob': true,
    '*allow-preconfig': true, '*coroutine': true, '*async': true,
    '*if': COND, '*features': [...] }
  { 'event': NAME, '*data': MEMBERS or STRUCT, '*if': COND,
    '*features': [...] }
  { 'union': NAME, 'base': MEMBERS or STRUCT, 'discriminator': MEMBER,
    'data': { BRANCH: STRUCT, ... }, '*if': COND, '*features': [...] }

'async' is Porthole's extension: the handler gets the QmpReturn and may
complete it later.  Unions are QEMU's (flat) unions: the discriminator is a
required enum member of the base, each branch a value of that enum whose
struct's members sit beside the base's in the same JSON object; values
without a branch carry the base alone.  Alternates and 'boxed' are not
supported.

Output, for a prefix P ('' by default), into the output directory:
  Pqapi-types.[ch]      types, freeing, conversion to and from JSON
  Pqapi-commands.[ch]   handler prototypes, marshallers, command table
  Pqapi-events.[ch]     qapi_event_send_*()
  Pqapi-introspect.[ch] the query-qmp-schema reply as JSON text
  qapi-builtin-types.[ch] (only with --builtins) built-in list types and the
                        conversion helpers every module shares

A bad schema is reported on stderr as 'FILE:LINE: message' and nothing is
written.
"""

import argparse
import json
import os
import re
import sys


# --------------------------------------------------------------------------
# Errors and source locations


class SourceInfo:
    """Where something was defined: file, line, including file, definition."""

    def __init__(self, fname, line, parent=None):
        self.fname = fname
        self.line = line
        self.parent = parent            # SourceInfo of the 'include'
        self.defn_meta = None
        self.defn_name = None

    def in_defn(self, meta, name):
        info = SourceInfo(self.fname, self.line, self.parent)
        info.defn_meta = meta
        info.defn_name = name
        return info

    def loc(self):
        return '%s:%d' % (self.fname, self.line)


class QAPIError(Exception):
    def __init__(self, info, msg, col=None):
        super().__init__(msg)
        self.info = info
        self.msg = msg
        self.col = col

    def __str__(self):
        if self.info is None:
            return self.msg
        ret = ''
        parent = self.info.parent
        while parent:
            ret = 'In file included from %s:\n' % parent.loc() + ret
            parent = parent.parent
        ret += self.info.loc()
        if self.col is not None:
            ret += ':%d' % self.col
        ret += ': '
        if self.info.defn_meta:
            ret += "%s '%s': " % (self.info.defn_meta, self.info.defn_name)
        return ret + self.msg


# --------------------------------------------------------------------------
# Parsing


class Doc:
    """A documentation comment block ('##' ... '##')."""

    def __init__(self, info):
        self.info = info
        self.symbol = None
        self.args = {}          # documented member -> SourceInfo
        self.features = {}      # documented feature -> SourceInfo
        self.has_returns = False


class Parser:
    """Reads one schema file into a list of (expression, info, doc)."""

    _ESCAPES = {'\\': '\\', '/': '/', "'": "'", '"': '"', 'b': '\b',
                'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

    def __init__(self, fname, src, parent_info):
        self.fname = fname
        self.src = src if src.endswith('\n') else src + '\n'
        self.parent_info = parent_info
        self.pos = 0
        self.line = 1
        self.line_pos = 0
        self.depth = 0
        self.tok = None
        self.val = None
        self.tok_line = 1
        self.tok_col = 1
        self.exprs = []

    def _error(self, msg, line=None, col=None):
        info = SourceInfo(self.fname, line or self.tok_line, self.parent_info)
        return QAPIError(info, msg, col or self.tok_col)

    def _expected(self, what):
        if self.tok is None:
            return self._error('end of file inside a definition; expected '
                               + what)
        return self._error('expected ' + what)

    def _next(self):
        """Advances to the next token.  Comments are tokens ('#') only
        between top-level expressions, where documentation blocks live."""
        src = self.src
        while True:
            while self.pos < len(src) and src[self.pos] in ' \t\r\n':
                if src[self.pos] == '\n':
                    self.line += 1
                    self.line_pos = self.pos + 1
                self.pos += 1
            self.tok_line = self.line
            self.tok_col = self.pos - self.line_pos + 1
            if self.pos >= len(src):
                self.tok = None
                return
            ch = src[self.pos]
            if ch == '#':
                end = src.index('\n', self.pos)
                text = src[self.pos:end].rstrip()
                self.pos = end
                if self.depth:
                    continue
                self.tok, self.val = '#', text
                return
            if ch in '{}[],:':
                self.pos += 1
                self.tok = ch
                return
            if ch in '\'"':
                self.val = self._string(ch)
                self.tok = 's'
                return
            match = re.compile(r'[A-Za-z0-9_.+-]+').match(src, self.pos)
            word = match.group(0) if match else ch
            if word in ('true', 'false'):
                self.pos += len(word)
                self.tok, self.val = 'b', word == 'true'
                return
            raise self._error("stray '%s'" % word)

    def _string(self, quote):
        src = self.src
        self.pos += 1
        chars = []
        while True:
            ch = src[self.pos]
            if ch == '\n':
                raise self._error('missing terminating %s'
                                  % ('"\'"' if quote == "'" else "'\"'"))
            if ch == quote:
                self.pos += 1
                return ''.join(chars)
            if ch == '\\':
                esc = src[self.pos + 1]
                if esc == 'u':
                    digits = src[self.pos + 2:self.pos + 6]
                    if not re.fullmatch(r'[0-9a-fA-F]{4}', digits):
                        raise self._error('\\u escape needs four hex digits')
                    chars.append(chr(int(digits, 16)))
                    self.pos += 6
                    continue
                if esc not in self._ESCAPES:
                    raise self._error("unknown escape '\\%s' in string" % esc)
                chars.append(self._ESCAPES[esc])
                self.pos += 2
                continue
            if ord(ch) < 0x20:
                raise self._error('control character in string')
            chars.append(ch)
            self.pos += 1

    def _value(self):
        if self.tok == '{':
            return self._object()
        if self.tok == '[':
            return self._array()
        if self.tok in ('s', 'b'):
            val = self.val
            self._next()
            return val
        raise self._expected('a value (string, true, false, object or '
                             'array)')

    def _object(self):
        obj = {}
        self.depth += 1
        self._next()
        if self.tok == '}':
            self.depth -= 1
            self._next()
            return obj
        while True:
            if self.tok != 's':
                raise self._expected("a string key or '}'"
                                     if not obj else 'a string key')
            key, key_line, key_col = self.val, self.tok_line, self.tok_col
            self._next()
            if self.tok != ':':
                raise self._expected("':'")
            self._next()
            if key in obj:
                raise self._error("duplicate key '%s'" % key,
                                  key_line, key_col)
            obj[key] = self._value()
            if self.tok == '}':
                self.depth -= 1
                self._next()
                return obj
            if self.tok != ',':
                raise self._expected("',' or '}'")
            self._next()

    def _array(self):
        arr = []
        self.depth += 1
        self._next()
        if self.tok == ']':
            self.depth -= 1
            self._next()
            return arr
        while True:
            arr.append(self._value())
            if self.tok == ']':
                self.depth -= 1
                self._next()
                return arr
            if self.tok != ',':
                raise self._expected("',' or ']'")
            self._next()

    def _doc(self):
        info = SourceInfo(self.fname, self.tok_line, self.parent_info)
        doc = Doc(info)
        section = 'body'
        self._next()
        while self.tok == '#':
            line_info = SourceInfo(self.fname, self.tok_line, self.parent_info)
            text = self.val
            if text.startswith('##'):
                if text != '##':
                    raise self._error("junk after '##' at end of "
                                      "documentation comment")
                self._next()
                return doc
            text = text[1:]
            if text and not text.startswith(' '):
                raise self._error("documentation line must start with '# '")
            text = text[1:]
            word = text.split(' ', 1)[0]
            if doc.symbol is None and section == 'body' \
                    and word.startswith('@'):
                if not text.endswith(':') or len(text) < 3 or ' ' in text:
                    raise self._error("definition line must be '# @NAME:'")
                doc.symbol = text[1:-1]
                section = 'args'
            elif doc.symbol is not None and word.startswith('@') \
                    and word.endswith(':') and len(word) > 2:
                name = word[1:-1]
                target = doc.features if section == 'features' else doc.args
                if name in target:
                    raise self._error("'@%s:' documented twice" % name)
                target[name] = line_info
            elif text == 'Features:':
                section = 'features'
            elif word == 'Returns:':
                doc.has_returns = True
                section = 'other'
            self._next()
        raise QAPIError(info, "documentation comment must end with '##'")

    def parse(self):
        self._next()
        doc = None
        while self.tok is not None:
            if self.tok == '#':
                if self.val.startswith('##'):
                    if self.val != '##':
                        raise self._error("junk after '##' at start of "
                                          "documentation comment")
                    self._check_doc_used(doc)
                    doc = self._doc()
                else:
                    self._next()
                continue
            if self.tok != '{':
                raise self._error("expected '{' to start a definition")
            info = SourceInfo(self.fname, self.tok_line, self.parent_info)
            expr = self._object()
            if doc is not None and doc.symbol is None:
                doc = None              # free-form text, e.g. a heading
            self.exprs.append((expr, info, doc))
            doc = None
        self._check_doc_used(doc)
        return self.exprs

    @staticmethod
    def _check_doc_used(doc):
        if doc is not None and doc.symbol is not None:
            raise QAPIError(doc.info, "documentation for '%s' is not "
                            "followed by its definition" % doc.symbol)


def parse_schema(fname, parent_info=None, included=None):
    """Returns the flat list of (expr, info, doc) of @fname and what it
    includes, each include's own entry coming before its expressions."""
    if included is None:
        included = set()
    included.add(os.path.abspath(fname))
    try:
        with open(fname, encoding='utf-8') as f:
            src = f.read()
    except OSError as e:
        if parent_info is None:
            raise QAPIError(None, "can't read schema file '%s': %s"
                            % (fname, e.strerror))
        raise QAPIError(parent_info, "can't read include file '%s': %s"
                        % (fname, e.strerror))
    out = []
    for expr, info, doc in Parser(fname, src, parent_info).parse():
        if 'include' in expr:
            if len(expr) != 1:
                raise QAPIError(info, "'include' takes no other key")
            if not isinstance(expr['include'], str):
                raise QAPIError(info, "value of 'include' must be a string")
            if doc is not None:
                raise QAPIError(doc.info, "documentation for '%s' is not "
                                "followed by its definition" % doc.symbol)
            path = os.path.join(os.path.dirname(fname), expr['include'])
            if os.path.abspath(path) in included:
                continue
            out.append(({'include': path}, info, None))
            out.extend(parse_schema(path, info, included))
        else:
            out.append((expr, info, doc))
    return out


# --------------------------------------------------------------------------
# Naming


_C_WORDS = frozenset('''
    auto break case char const continue default do double else enum extern
    float for goto if inline int long register restrict return short signed
    sizeof static struct switch typedef union unsigned void volatile while
    _Alignas _Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn
    _Static_assert _Thread_local asm typeof bool true false NULL
    and and_eq bitand bitor compl not not_eq or or_eq xor xor_eq
    class delete new private protected public this throw try catch
    unix linux errno i386 mips sparc
'''.split())


def c_name(name, protect=True):
    """Maps a schema name to a C identifier ('query-status' ->
    'query_status'); @protect also steers clear of C keywords."""
    name = re.sub(r'[^A-Za-z0-9_]', '_', name)
    if protect and (name in _C_WORDS or name[0].isdigit()):
        return 'q_' + name
    return name


def camel_to_upper(value):
    """'RunState' -> 'RUN_STATE', 'QMPCapability' -> 'QMP_CAPABILITY'."""
    cname = c_name(value, False)
    if value.isupper():
        return cname
    out = ''
    for i, ch in enumerate(cname):
        if ch.isupper() and i > 0 and cname[i - 1] != '_':
            if (i + 1 < len(cname) and cname[i + 1].islower()) \
                    or cname[i - 1].isdigit():
                out += '_'
        out += ch
    return out.lstrip('_').upper()


_VALID_NAME = re.compile(r'(__[a-z0-9.-]+_)?([a-z][a-z0-9_-]*)$', re.I)


def check_name(info, name, what, case, permit_underscore=False, hint=''):
    """Checks QEMU's naming rules.  @what names the thing in messages
    ("member 'x'", or just "name" for the definition's own name); @case is
    'lower' (commands, members), 'value' (enum values, may start with a
    digit), 'upper' (events) or 'camel' (types); @hint follows a complaint
    about '_' or upper case."""
    if not isinstance(name, str) or not name:
        raise QAPIError(info, '%s must be a non-empty string' % what)
    match = _VALID_NAME.match('d' + name if case == 'value' and
                              name[0].isdigit() else name)
    if not match:
        raise QAPIError(info, '%s is not a valid name' % what)
    if c_name(name, False).startswith('q_'):
        raise QAPIError(info, "%s uses the reserved prefix 'q_'" % what)
    stem = match.group(2)
    if case in ('lower', 'value') and not permit_underscore:
        if re.search(r'[A-Z]', stem):
            raise QAPIError(info, '%s must not use upper case%s'
                            % (what, hint))
        if '_' in stem:
            raise QAPIError(info, "%s must use '-', not '_'%s" % (what, hint))
    elif case == 'upper':
        if re.search(r'[a-z-]', stem):
            raise QAPIError(info, "%s must use upper case and '_'" % what)
    elif case == 'camel':
        if not re.match(r'[A-Z][A-Za-z0-9]*[a-z][A-Za-z0-9]*$', stem):
            raise QAPIError(info, '%s must use CamelCase' % what)
        # 'List' is taken by generated list types.  ('Kind' was QEMU's for
        # the implicit enums of simple unions, which QEMU 7.2 no longer
        # has: its KeyValueKind and InputEventKind are ordinary enums.)
        if stem.endswith('List'):
            raise QAPIError(info, "%s must not end in 'List'" % what)


# --------------------------------------------------------------------------
# The schema model


class Type:
    meta = 'type'
    ifcond = None
    features = ()

    def __init__(self, name):
        self.name = name

    def c_name(self):
        """The name inside qapi_free_X, qapi_to_json_X, qapi_input_X."""
        return c_name(self.name)

    def c_type(self):
        raise NotImplementedError

    def c_param_type(self):
        return self.c_type()

    def is_pointer(self):
        return self.c_type().endswith('*')

    def free_code(self, expr):
        """C statement freeing @expr, or None when nothing owns memory."""
        return None


class BuiltinType(Type):
    meta = 'built-in type'

    def __init__(self, name, ctype, json_type):
        super().__init__(name)
        self._ctype = ctype
        self.json_type = json_type

    def c_name(self):
        return self.name

    def c_type(self):
        return self._ctype

    def c_param_type(self):
        return 'const char *' if self.name == 'str' else self._ctype

    def free_code(self, expr):
        if self.name == 'str':
            return 'g_free(%s);' % expr
        if self.name in ('any', 'null'):
            return 'if (%s) {\n    json_node_unref(%s);\n}' % (expr, expr)
        return None


BUILTINS = [
    ('str', 'char *', 'string'),
    ('number', 'double', 'number'),
    ('int', 'int64_t', 'int'),
    ('int8', 'int8_t', 'int'),
    ('int16', 'int16_t', 'int'),
    ('int32', 'int32_t', 'int'),
    ('int64', 'int64_t', 'int'),
    ('uint8', 'uint8_t', 'int'),
    ('uint16', 'uint16_t', 'int'),
    ('uint32', 'uint32_t', 'int'),
    ('uint64', 'uint64_t', 'int'),
    ('size', 'uint64_t', 'int'),
    ('bool', 'bool', 'boolean'),
    ('null', 'JsonNode *', 'null'),
    ('any', 'JsonNode *', 'value'),
]


class EnumType(Type):
    meta = 'enum'
    json_type = 'string'

    def __init__(self, name, info, values, prefix, ifcond, features):
        super().__init__(name)
        self.info = info
        self.values = values            # [(name, features)]
        self.prefix = prefix
        self.ifcond = ifcond
        self.features = features

    def c_type(self):
        return c_name(self.name)

    def const(self, value):
        return camel_to_upper(self.prefix or self.name) + '_' \
            + c_name(value, False).upper()


class Member:
    def __init__(self, name, optional, typeref, features, info):
        self.name = name
        self.optional = optional
        self.typeref = typeref          # str, or [str] for a list
        self.type = None
        self.features = features
        self.info = info

    def c_name(self):
        return c_name(self.name)


class StructType(Type):
    meta = 'struct'
    json_type = 'object'

    def __init__(self, name, info, local_members, base, ifcond, features,
                 implicit=False):
        super().__init__(name)
        self.info = info
        self.local_members = local_members
        self.base_name = base
        self.base = None
        self.members = None             # base members first, once resolved
        self.ifcond = ifcond
        self.features = features
        self.implicit = implicit

    def c_type(self):
        return c_name(self.name) + ' *'

    def free_code(self, expr):
        return 'qapi_free_%s(%s);' % (self.c_name(), expr)


class UnionType(Type):
    """A flat union: the base's members, among them the enum discriminator
    (the tag), and for each tag value the members of its branch struct,
    if it has one."""
    meta = 'union'
    json_type = 'object'

    def __init__(self, name, info, base, discriminator, branches, ifcond,
                 features):
        super().__init__(name)
        self.info = info
        self.base_ref = base            # member list (inline) or a name
        self.discriminator = discriminator
        self.branches = branches        # [(value, typeref)] as written
        self.ifcond = ifcond
        self.features = features
        self.base = None                # StructType, implicit when inline
        self.members = None             # the base's members, once resolved
        self.tag = None                 # the discriminator Member
        # [(value, StructType or None)]: the branches as written, then the
        # values without one, in enum order (as QEMU's introspection).
        self.variants = None

    def c_type(self):
        return c_name(self.name) + ' *'

    def free_code(self, expr):
        return 'qapi_free_%s(%s);' % (self.c_name(), expr)

    def branch_variants(self):
        """The variants with a branch struct, in schema order."""
        return [(v, t) for v, t in self.variants if t is not None]


def is_object(typ):
    """A type whose JSON form is an object with members."""
    return isinstance(typ, (StructType, UnionType))


class ArrayType(Type):
    meta = 'list'
    json_type = 'array'

    def __init__(self, element):
        super().__init__(element.name + 'List')
        self.element = element

    @property
    def ifcond(self):
        return self.element.ifcond

    def c_name(self):
        return c_name(self.name, False)

    def c_type(self):
        return self.c_name() + ' *'

    def free_code(self, expr):
        return 'qapi_free_%s(%s);' % (self.c_name(), expr)


class Command:
    meta = 'command'

    def __init__(self, name, info, doc, data, returns, flags, ifcond,
                 features):
        self.name = name
        self.info = info
        self.doc = doc
        self.data = data                # None, member list, or struct name
        self.returns = returns
        self.arg_type = None
        self.ret_type = None
        self.gen = flags.get('gen', True)
        self.success_response = flags.get('success-response', True)
        self.allow_oob = flags.get('allow-oob', False)
        self.allow_preconfig = flags.get('allow-preconfig', False)
        self.coroutine = flags.get('coroutine', False)
        self.is_async = flags.get('async', False)
        self.ifcond = ifcond
        self.features = features

    def c_name(self):
        return c_name(self.name, False)


class Event:
    meta = 'event'

    def __init__(self, name, info, doc, data, ifcond, features):
        self.name = name
        self.info = info
        self.doc = doc
        self.data = data
        self.arg_type = None
        self.ifcond = ifcond
        self.features = features

    def c_name(self):
        return c_name(self.name.lower(), False)


class Pragma:
    def __init__(self):
        self.doc_required = False
        self.command_name_exceptions = []
        self.command_returns_exceptions = []
        self.member_name_exceptions = []


_META_KEYS = {
    'command': ('data', 'returns', 'gen', 'success-response', 'allow-oob',
                'allow-preconfig', 'coroutine', 'async', 'if', 'features'),
    'struct': ('data', 'base', 'if', 'features'),
    'enum': ('data', 'prefix', 'if', 'features'),
    'event': ('data', 'if', 'features'),
    'union': ('base', 'discriminator', 'data', 'if', 'features'),
}

_TRUE_FLAGS = ('allow-oob', 'allow-preconfig', 'coroutine', 'async')
_FALSE_FLAGS = ('gen', 'success-response')

_MEMBER_HINT = (" (unless the type is listed in pragma "
                "'member-name-exceptions')")

# C names the generated functions use for their own parameters and locals.
_RESERVED_PARAMS = ('error', 'ret', 'qapi_data')


def ifcond_to_c(info, cond):
    """Turns an 'if' into a C preprocessor expression.  A bare identifier
    means 'defined(IDENT)' (QEMU's config symbols); any other string is
    taken as a C condition; {'all'|'any': [...]} and {'not': ...} combine."""
    if isinstance(cond, str):
        if not cond.strip():
            raise QAPIError(info, "'if' condition must not be empty")
        if re.fullmatch(r'[A-Za-z_][A-Za-z0-9_]*', cond):
            return 'defined(%s)' % cond
        return '(%s)' % cond
    if isinstance(cond, dict) and len(cond) == 1:
        (op, arg), = cond.items()
        if op == 'not':
            return '!' + ifcond_to_c(info, arg)
        if op in ('all', 'any'):
            if not isinstance(arg, list) or not arg:
                raise QAPIError(info, "'if' '%s' needs a non-empty list" % op)
            joiner = ' && ' if op == 'all' else ' || '
            return '(' + joiner.join(ifcond_to_c(info, c) for c in arg) + ')'
    raise QAPIError(info, "'if' condition must be a string or an object with "
                    "one key 'all', 'any' or 'not'")


class Schema:
    def __init__(self, fname):
        self.fname = fname
        self.pragma = Pragma()
        self.entities = {}              # name -> entity
        self.definitions = []           # in parse order
        self.module_of = {}             # entity -> module index
        self.files = [fname]
        self.builtins = {}
        for name, ctype, jtype in BUILTINS:
            self.builtins[name] = BuiltinType(name, ctype, jtype)
        self.arrays = {}                # element name -> ArrayType
        self.empty = StructType('q_empty', None, [], None, None, [],
                                implicit=True)
        self.empty.members = []

        exprs = parse_schema(fname)
        modules = {fname: 0}
        for expr, info, _ in exprs:
            if 'include' in expr:
                modules.setdefault(expr['include'], len(modules))
                self.files.append(expr['include'])
        for expr, info, doc in exprs:
            if 'include' in expr:
                continue
            if 'pragma' in expr:
                self._pragma(expr, info)
                continue
            entity = self._definition(expr, info, doc)
            self.module_of[entity] = modules[info.fname]
        for entity in self.definitions:
            self._check_names(entity)
        for entity in self.definitions:
            self._resolve(entity)
        for entity in self.definitions:
            self._check_doc(entity)
        self._check_c_clashes()

    # -- definitions

    def _pragma(self, expr, info):
        if len(expr) != 1:
            raise QAPIError(info, "'pragma' takes no other key")
        pragma = expr['pragma']
        if not isinstance(pragma, dict):
            raise QAPIError(info, "value of 'pragma' must be an object")
        for key, value in pragma.items():
            if key == 'doc-required':
                if not isinstance(value, bool):
                    raise QAPIError(info, "pragma 'doc-required' must be "
                                    "true or false")
                self.pragma.doc_required = value
            elif key in ('command-name-exceptions',
                         'command-returns-exceptions',
                         'member-name-exceptions'):
                if not isinstance(value, list) or \
                        not all(isinstance(v, str) for v in value):
                    raise QAPIError(info, "pragma '%s' must be a list of "
                                    "strings" % key)
                getattr(self.pragma, key.replace('-', '_')).extend(value)
            else:
                raise QAPIError(info, "unknown pragma '%s'" % key)

    def _definition(self, expr, info, doc):
        if 'alternate' in expr:
            raise QAPIError(info, "'alternate' definitions are not "
                            "supported")
        metas = [m for m in _META_KEYS if m in expr]
        if not metas:
            raise QAPIError(info, "expression must have one of the keys "
                            "'command', 'event', 'enum', 'struct', 'union', "
                            "'include' or 'pragma'")
        meta = metas[0]
        name = expr[meta]
        if not isinstance(name, str):
            raise QAPIError(info, "'%s' must name the definition with a "
                            "string" % meta)
        info = info.in_defn(meta, name)
        valid = (meta,) + _META_KEYS[meta]
        for key in expr:
            if key not in valid:
                raise QAPIError(info, "unknown key '%s'; valid keys are %s"
                                % (key, ', '.join("'%s'" % k
                                                  for k in sorted(valid))))
        if name in self.entities:
            other = self.entities[name]
            raise QAPIError(info, "'%s' is already defined, as %s at %s"
                            % (name, other.meta, other.info.loc()))
        ifcond = ifcond_to_c(info, expr['if']) if 'if' in expr else None
        features = self._features(info, expr.get('features', []))

        if meta == 'enum':
            entity = self._enum(expr, info, ifcond, features)
        elif meta == 'struct':
            if 'data' not in expr:
                raise QAPIError(info, "missing key 'data'")
            base = expr.get('base')
            if base is not None and not isinstance(base, str):
                raise QAPIError(info, "'base' must name a struct type")
            entity = StructType(name, info,
                                self._members(info, expr['data'], name),
                                base, ifcond, features)
        elif meta == 'union':
            entity = self._union(expr, info, ifcond, features)
        elif meta == 'command':
            flags = self._flags(info, expr)
            returns = expr.get('returns')
            if returns is not None:
                self._check_typeref(info, returns, "'returns'")
            entity = Command(name, info, doc, self._data(info, expr, name),
                             returns, flags, ifcond, features)
        else:
            entity = Event(name, info, doc, self._data(info, expr, name),
                           ifcond, features)
        entity.doc = doc
        self.entities[name] = entity
        self.definitions.append(entity)
        return entity

    def _enum(self, expr, info, ifcond, features):
        name = expr['enum']
        if 'data' not in expr:
            raise QAPIError(info, "missing key 'data'")
        data = expr['data']
        if not isinstance(data, list):
            raise QAPIError(info, "'data' must be a list of values")
        prefix = expr.get('prefix')
        if prefix is not None and (not isinstance(prefix, str) or
                                   not re.fullmatch(r'[A-Za-z_][A-Za-z0-9_]*',
                                                    prefix)):
            raise QAPIError(info, "'prefix' must be a C identifier")
        permissive = name in self.pragma.member_name_exceptions
        values = []
        seen = {}
        for value in data:
            vfeatures = []
            if isinstance(value, dict):
                for key in value:
                    if key == 'if':
                        raise QAPIError(info, "'if' on enum values is not "
                                        "supported")
                    if key not in ('name', 'features'):
                        raise QAPIError(info, "enum value has unknown key "
                                        "'%s'" % key)
                if 'name' not in value:
                    raise QAPIError(info, "enum value needs a 'name'")
                vfeatures = self._features(info, value.get('features', []))
                value = value['name']
            check_name(info, value, "value '%s'" % value, 'value',
                       permissive, _MEMBER_HINT)
            key = c_name(value, False).upper()
            if key in seen:
                raise QAPIError(info, "value '%s' collides with value '%s'"
                                % (value, seen[key]))
            seen[key] = value
            values.append((value, vfeatures))
        return EnumType(name, info, values, prefix, ifcond, features)

    def _union(self, expr, info, ifcond, features):
        name = expr['union']
        for key in ('base', 'discriminator', 'data'):
            if key not in expr:
                raise QAPIError(info, "missing key '%s'" % key)
        base = expr['base']
        if isinstance(base, dict):
            base = self._members(info, base, name)
        elif not isinstance(base, str):
            raise QAPIError(info, "'base' must be an object of members or "
                            "the name of a struct type")
        disc = expr['discriminator']
        if not isinstance(disc, str):
            raise QAPIError(info, "'discriminator' must name a member of "
                            "'base'")
        data = expr['data']
        if not isinstance(data, dict):
            raise QAPIError(info, "'data' must be an object of branches")
        branches = []
        for value, ref in data.items():
            what = "branch '%s'" % value
            if isinstance(ref, dict):
                for k in ref:
                    if k == 'if':
                        raise QAPIError(info, "%s: 'if' on branches is not "
                                        "supported" % what)
                    if k != 'type':
                        raise QAPIError(info, "%s has unknown key '%s'"
                                        % (what, k))
                if 'type' not in ref:
                    raise QAPIError(info, "%s needs a 'type'" % what)
                ref = ref['type']
            if isinstance(ref, list):
                raise QAPIError(info, "%s must be a struct type, not a list"
                                % what)
            if not isinstance(ref, str):
                raise QAPIError(info, "%s must name a struct type" % what)
            branches.append((value, ref))
        return UnionType(name, info, base, disc, branches, ifcond, features)

    def _features(self, info, features):
        if not isinstance(features, list):
            raise QAPIError(info, "'features' must be a list")
        out = []
        for feat in features:
            if isinstance(feat, dict):
                for key in feat:
                    if key == 'if':
                        raise QAPIError(info, "'if' on features is not "
                                        "supported")
                    if key != 'name':
                        raise QAPIError(info, "feature has unknown key '%s'"
                                        % key)
                feat = feat.get('name')
            check_name(info, feat, "feature '%s'" % feat, 'lower')
            if feat in out:
                raise QAPIError(info, "feature '%s' is listed twice" % feat)
            out.append(feat)
        return out

    def _flags(self, info, expr):
        flags = {}
        for key in _TRUE_FLAGS:
            if key in expr:
                if expr[key] is not True:
                    raise QAPIError(info, "flag '%s' may only be true" % key)
                flags[key] = True
        for key in _FALSE_FLAGS:
            if key in expr:
                if expr[key] is not False:
                    raise QAPIError(info, "flag '%s' may only be false" % key)
                flags[key] = False
        if 'allow-oob' in flags and 'coroutine' in flags:
            raise QAPIError(info, "flags 'allow-oob' and 'coroutine' are "
                            "incompatible")
        if 'allow-oob' in flags and 'async' in flags:
            raise QAPIError(info, "flags 'allow-oob' and 'async' are "
                            "incompatible")
        return flags

    def _data(self, info, expr, name):
        data = expr.get('data')
        if data is None or isinstance(data, str):
            return data
        if not isinstance(data, dict):
            raise QAPIError(info, "'data' must be an object of members or "
                            "the name of a struct type")
        return self._members(info, data, name)

    def _check_typeref(self, info, ref, what):
        if isinstance(ref, list):
            if len(ref) != 1 or not isinstance(ref[0], str):
                raise QAPIError(info, "%s: a list type is written ['TYPE'], "
                                "with exactly one type name" % what)
        elif not isinstance(ref, str):
            raise QAPIError(info, "%s must be a type name or ['TYPE']" % what)

    def _members(self, info, data, owner):
        if not isinstance(data, dict):
            raise QAPIError(info, "'data' must be an object of members")
        permissive = owner in self.pragma.member_name_exceptions
        members = []
        for key, value in data.items():
            optional = key.startswith('*')
            name = key[1:] if optional else key
            check_name(info, name, "member '%s'" % name, 'lower',
                       permissive, _MEMBER_HINT)
            if c_name(name).startswith('has_'):
                raise QAPIError(info, "member '%s' uses the reserved prefix "
                                "'has-'" % name)
            what = "member '%s'" % name
            features = []
            if isinstance(value, dict):
                for k in value:
                    if k == 'if':
                        raise QAPIError(info, "%s: 'if' on members is not "
                                        "supported" % what)
                    if k not in ('type', 'features'):
                        raise QAPIError(info, "%s has unknown key '%s'"
                                        % (what, k))
                if 'type' not in value:
                    raise QAPIError(info, "%s needs a 'type'" % what)
                features = self._features(info, value.get('features', []))
                value = value['type']
            self._check_typeref(info, value, what)
            members.append(Member(name, optional, value, features, info))
        return members

    def _check_names(self, entity):
        info = entity.info
        if isinstance(entity, Command):
            check_name(info, entity.name, 'name', 'lower',
                       entity.name in self.pragma.command_name_exceptions,
                       " (unless listed in pragma 'command-name-exceptions')")
        elif isinstance(entity, Event):
            check_name(info, entity.name, 'name', 'upper')
        else:
            check_name(info, entity.name, 'name', 'camel')

    # -- resolution

    def array_of(self, element):
        if element.name not in self.arrays:
            self.arrays[element.name] = ArrayType(element)
        return self.arrays[element.name]

    def lookup(self, info, ref, what):
        if isinstance(ref, list):
            return self.array_of(self.lookup(info, ref[0], what))
        if ref in self.builtins:
            return self.builtins[ref]
        entity = self.entities.get(ref)
        if entity is None:
            raise QAPIError(info, "%s uses unknown type '%s'" % (what, ref))
        if not isinstance(entity, Type):
            raise QAPIError(info, "%s uses '%s', which is a %s, not a type"
                            % (what, ref, entity.meta))
        return entity

    def _struct_members(self, struct, stack=()):
        if struct.members is not None:
            return struct.members
        if struct in stack:
            raise QAPIError(struct.info, "base type cycle through '%s'"
                            % struct.name)
        members = []
        if struct.base_name is not None:
            base = self.lookup(struct.info, struct.base_name, "'base'")
            if not isinstance(base, StructType):
                raise QAPIError(struct.info, "'base' must be a struct type, "
                                "not %s '%s'" % (base.meta, base.name))
            struct.base = base
            members = list(self._struct_members(base, stack + (struct,)))
        for m in struct.local_members:
            m.type = self.lookup(struct.info, m.typeref,
                                 "member '%s'" % m.name)
        seen = {}
        for m in members:
            seen[c_name(m.name)] = (m, "of base '%s'" % struct.base.name)
        for m in struct.local_members:
            other = seen.get(c_name(m.name))
            if other:
                raise QAPIError(struct.info, "member '%s' collides with "
                                "member '%s'%s" % (m.name, other[0].name,
                                                   ' ' + other[1]
                                                   if other[1] else ''))
            seen[c_name(m.name)] = (m, '')
        struct.members = members + struct.local_members
        return struct.members

    def _union_members(self, union):
        """Resolves @union: its base, tag and variants."""
        if union.members is not None:
            return union.members
        info = union.info
        if isinstance(union.base_ref, str):
            base = self.lookup(info, union.base_ref, "'base'")
            if not isinstance(base, StructType):
                raise QAPIError(info, "'base' must be a struct type, not %s "
                                "'%s'" % (base.meta, base.name))
            where = "base '%s'" % base.name
        else:
            base = StructType('q_obj_%s-base' % union.name, info,
                              union.base_ref, None, union.ifcond, [],
                              implicit=True)
            where = "'base'"
        union.base = base
        members = self._struct_members(base)
        for m in members:
            if m.c_name() == 'u':
                raise QAPIError(info, "member 'u' of %s collides with the "
                                "C union of the branches" % where)
        tag = next((m for m in members if m.name == union.discriminator),
                   None)
        if tag is None:
            raise QAPIError(info, "discriminator '%s' is not a member of %s"
                            % (union.discriminator, where))
        if tag.optional:
            raise QAPIError(info, "discriminator member '%s' of %s must not "
                            "be optional" % (tag.name, where))
        if not isinstance(tag.type, EnumType):
            raise QAPIError(info, "discriminator member '%s' of %s must be "
                            "of enum type, not %s '%s'"
                            % (tag.name, where, tag.type.meta, tag.type.name))
        values = [v for v, _ in tag.type.values]
        union.members = members
        union.tag = tag
        variants = []
        base_names = {m.c_name(): m for m in members}
        for value, ref in union.branches:
            what = "branch '%s'" % value
            if value not in values:
                raise QAPIError(info, "%s is not a value of enum '%s'"
                                % (what, tag.type.name))
            typ = self.lookup(info, ref, what)
            if not isinstance(typ, StructType):
                raise QAPIError(info, "%s must be a struct type, not %s '%s'"
                                % (what, typ.meta, typ.name))
            for m in self._struct_members(typ):
                other = base_names.get(m.c_name())
                if other:
                    raise QAPIError(info, "member '%s' of %s ('%s') collides "
                                    "with member '%s' of %s"
                                    % (m.name, what, typ.name, other.name,
                                       where))
            variants.append((value, typ))
        listed = [v for v, _ in union.branches]
        variants += [(v, None) for v in values if v not in listed]
        union.variants = variants
        return members

    def _arg_type(self, entity):
        data = entity.data
        if data is None:
            return None
        if isinstance(data, str):
            typ = self.lookup(entity.info, data, "'data'")
            if not isinstance(typ, StructType):
                raise QAPIError(entity.info, "'data' must be a struct type, "
                                "not %s '%s'" % (typ.meta, typ.name))
            members = self._struct_members(typ)
        else:
            if not data:
                return None
            typ = StructType('q_obj_%s-arg' % entity.name, entity.info, data,
                             None, entity.ifcond, [], implicit=True)
            members = self._struct_members(typ)
        for m in members:
            if m.c_name() in _RESERVED_PARAMS:
                raise QAPIError(entity.info, "member '%s' clashes with a "
                                "parameter of the generated C function"
                                % m.name)
        return typ

    def _resolve(self, entity):
        if isinstance(entity, StructType):
            self._struct_members(entity)
        elif isinstance(entity, UnionType):
            self._union_members(entity)
        elif isinstance(entity, Command):
            entity.arg_type = self._arg_type(entity)
            if entity.returns is not None:
                rt = self.lookup(entity.info, entity.returns, "'returns'")
                entity.ret_type = rt
                elem = rt.element if isinstance(rt, ArrayType) else rt
                if not is_object(elem) and entity.name not in \
                        self.pragma.command_returns_exceptions:
                    shown = "['%s']" % elem.name if elem is not rt \
                        else "'%s'" % rt.name
                    raise QAPIError(entity.info, "'returns' must be a struct "
                                    "or union type or a list of one, not %s "
                                    "(unless listed in pragma "
                                    "'command-returns-exceptions')" % shown)
        elif isinstance(entity, Event):
            entity.arg_type = self._arg_type(entity)

    def _check_doc(self, entity):
        doc = entity.doc
        if doc is None:
            if self.pragma.doc_required:
                raise QAPIError(entity.info, 'documentation comment required')
            return
        if doc.symbol != entity.name:
            raise QAPIError(entity.info, "documentation comment is for '%s'"
                            % doc.symbol)
        if isinstance(entity, EnumType):
            names = [v for v, _ in entity.values]
            features = set(entity.features)
            for _, vf in entity.values:
                features.update(vf)
        else:
            if isinstance(entity, StructType):
                members = entity.local_members
            elif isinstance(entity, UnionType):
                # An inline base is the union's own; a named one is
                # documented where it is defined.
                members = entity.base.local_members \
                    if entity.base.implicit else []
            elif entity.arg_type is not None:
                members = entity.arg_type.members
            else:
                members = []
            names = [m.name for m in members]
            features = set(entity.features)
            for m in members:
                features.update(m.features)
        for name, info in doc.args.items():
            if name not in names:
                raise QAPIError(info.in_defn(entity.meta, entity.name),
                                "documented member '%s' does not exist"
                                % name)
        for name, info in doc.features.items():
            if name not in features:
                raise QAPIError(info.in_defn(entity.meta, entity.name),
                                "documented feature '%s' does not exist"
                                % name)
        if doc.has_returns and not isinstance(entity, Command):
            raise QAPIError(entity.info, "'Returns:' is only valid for "
                            "commands")

    def _check_c_clashes(self):
        seen = {}
        for entity in self.definitions:
            if isinstance(entity, Command):
                key = 'qmp_' + entity.c_name()
            elif isinstance(entity, Event):
                key = 'qapi_event_send_' + entity.c_name()
            else:
                key = entity.c_name()
            if key in seen:
                raise QAPIError(entity.info, "'%s' collides with %s '%s' in "
                                "the generated C" % (entity.name,
                                                     seen[key].meta,
                                                     seen[key].name))
            seen[key] = entity

    # -- queries for the generators

    def types(self):
        return [e for e in self.definitions if isinstance(e, Type)]

    def commands(self):
        return [e for e in self.definitions if isinstance(e, Command)]

    def events(self):
        return [e for e in self.definitions if isinstance(e, Event)]

    def used_arrays(self):
        """Non-built-in list types, in order of first use."""
        out = []

        def use(t):
            if isinstance(t, ArrayType) and \
                    not isinstance(t.element, BuiltinType) and t not in out:
                out.append(t)
        for e in self.definitions:
            if isinstance(e, StructType):
                for m in e.local_members:
                    use(m.type)
            elif isinstance(e, UnionType):
                for m in e.members:
                    use(m.type)
            elif isinstance(e, (Command, Event)):
                if e.arg_type is not None and e.arg_type.implicit:
                    for m in e.arg_type.members:
                        use(m.type)
                if isinstance(e, Command) and e.ret_type is not None:
                    use(e.ret_type)
        return out


# --------------------------------------------------------------------------
# C generation helpers


def c_string(text):
    return '"' + text.replace('\\', '\\\\').replace('"', '\\"') + '"'


def wrap_if(ifcond, text):
    if not ifcond or not text:
        return text
    return '#if %s\n%s#endif /* %s */\n' % (ifcond, text, ifcond)


def indent(text, level=1):
    pad = '    ' * level
    return ''.join(pad + line if line.strip() else line
                   for line in text.splitlines(True))


def banner(fname, what, schema_name):
    return ('/*\n * %s: %s\n *\n * Generated by qapi-gen.py from %s; '
            'do not edit.\n */\n' % (fname, what, schema_name))


def var_decl(ctype, name):
    """'char *' + 'x' -> 'char *x'; 'int64_t' + 'x' -> 'int64_t x'."""
    return ctype + name if ctype.endswith('*') else ctype + ' ' + name


def gen_params(members, extra):
    params = []
    for m in members:
        if m.optional:
            params.append('bool has_' + m.c_name())
        params.append(var_decl(m.type.c_param_type(), m.c_name()))
    params.extend(extra)
    return ', '.join(params) if params else 'void'


def gen_struct_typedef(struct):
    name = struct.c_name()
    body = ''
    for m in struct.members:
        if m.optional:
            body += '    bool has_%s;\n' % m.c_name()
        body += '    %s;\n' % var_decl(m.type.c_type(), m.c_name())
    if not struct.members:
        body = '    char qapi_dummy_for_empty_struct;\n'
    return 'struct %s {\n%s};\n' % (name, body)


def gen_list_typedef(array):
    name = array.c_name()
    return ('struct %s {\n    struct %s *next;\n    %s;\n};\n\n'
            % (name, name, var_decl(array.element.c_type(), 'value')))


def gen_free_struct(struct, storage=''):
    name = struct.c_name()
    frees = ''
    for m in struct.members:
        code = m.type.free_code('obj->' + m.c_name())
        if code:
            frees += indent(code) + '\n'
    return ('%svoid qapi_free_%s(%s *obj)\n{\n    if (!obj) {\n        return;'
            '\n    }\n%s    g_free(obj);\n}\n'
            % (storage, name, name, frees))


def gen_free_list(array):
    name = array.c_name()
    code = array.element.free_code('list->value')
    frees = indent(code, 2) + '\n' if code else ''
    return ('void qapi_free_%s(%s *list)\n{\n    while (list) {\n'
            '        %s *next = list->next;\n\n%s        g_free(list);\n'
            '        list = next;\n    }\n}\n' % (name, name, name, frees))


def gen_input_members(members, access='obj->'):
    """Statements converting @members of the JSON object 'jobj' into the
    fields at @access, in order, each under the name 'mpath'."""
    body = ''
    for m in members:
        fn = 'qapi_input_' + m.type.c_name()
        field = access + m.c_name()
        body += '    mpath.name = "%s";\n' % m.name
        if m.optional:
            body += ('    member = json_object_get_member(jobj, "%s");\n'
                     '    if (member) {\n'
                     '        %shas_%s = true;\n'
                     '        if (!%s(&mpath, member, &%s, error)) {\n'
                     '            return false;\n'
                     '        }\n'
                     '    }\n' % (m.name, access, m.c_name(), fn, field))
        else:
            body += ('    member = qapi_input_required(&mpath, jobj, error);\n'
                     '    if (!member || !%s(&mpath, member, &%s, error)) {\n'
                     '        return false;\n'
                     '    }\n' % (fn, field))
    return body


def gen_input_function(name, decls, locals_, body, storage=''):
    """The frame every object input function shares: @decls (the member
    tables) and @locals_ first, then the object check, @body converting
    the members into 'obj', and the check for members nobody took."""
    return ('%sbool qapi_input_%s(const QapiInputPath *path, JsonNode *node,\n'
            '    %s **out, GError **error)\n'
            '{\n'
            '%s'
            '    g_autoptr(%s) obj = NULL;\n'
            '%s'
            '    JsonObject *jobj;\n'
            '\n'
            '    *out = NULL;\n'
            '    jobj = qapi_input_object(path, node, error);\n'
            '    if (!jobj) {\n'
            '        return false;\n'
            '    }\n'
            '    obj = g_new0(%s, 1);\n'
            '%s'
            '    if (!qapi_input_check_members(path, jobj, members, error)) {\n'
            '        return false;\n'
            '    }\n'
            '    *out = g_steal_pointer(&obj);\n'
            '    return true;\n'
            '}\n' % (storage, name, name, decls, name, locals_, name, body))


def gen_input_struct(struct, storage=''):
    name = struct.c_name()
    members = struct.members
    names = ''.join('"%s", ' % m.name for m in members)
    locals_ = ''
    if members:
        locals_ = ('    QapiInputPath mpath = { path, NULL, 0 };\n'
                   '    JsonNode *member;\n')
    return gen_input_function(
        name, '    static const char *const members[] = { %sNULL };\n' % names,
        locals_, gen_input_members(members), storage)


def gen_input_list(array):
    name = array.c_name()
    elem = array.element
    return ('bool qapi_input_%s(const QapiInputPath *path, JsonNode *node,\n'
            '    %s **out, GError **error)\n'
            '{\n'
            '    g_autoptr(%s) list = NULL;\n'
            '    %s **tail = &list;\n'
            '    QapiInputPath epath = { path, NULL, 0 };\n'
            '    JsonArray *array;\n'
            '    guint i, len;\n'
            '\n'
            '    *out = NULL;\n'
            '    array = qapi_input_array(path, node, error);\n'
            '    if (!array) {\n'
            '        return false;\n'
            '    }\n'
            '    len = json_array_get_length(array);\n'
            '    for (i = 0; i < len; i++) {\n'
            '        epath.index = i;\n'
            '        *tail = g_new0(%s, 1);\n'
            '        if (!qapi_input_%s(&epath, json_array_get_element(array, i),\n'
            '                &(*tail)->value, error)) {\n'
            '            return false;\n'
            '        }\n'
            '        tail = &(*tail)->next;\n'
            '    }\n'
            '    *out = g_steal_pointer(&list);\n'
            '    return true;\n'
            '}\n' % (name, name, name, name, name, elem.c_name()))


def gen_members_to_json(members, obj, access):
    out = ''
    for m in members:
        set_ = ('json_object_set_member(%s, "%s", qapi_to_json_%s(%s));\n'
                % (obj, m.name, m.type.c_name(), access + m.c_name()))
        if m.optional:
            out += '    if (%shas_%s) {\n        %s    }\n' \
                % (access, m.c_name(), set_)
        else:
            out += '    ' + set_
    return out


def gen_to_json_struct(struct):
    name = struct.c_name()
    return ('JsonNode *qapi_to_json_%s(const %s *v)\n'
            '{\n'
            '    JsonObject *obj;\n'
            '\n'
            '    g_return_val_if_fail(v != NULL, json_node_new(JSON_NODE_NULL));\n'
            '    obj = json_object_new();\n'
            '%s'
            '    return qapi_to_json_object(obj);\n'
            '}\n' % (name, name,
                     gen_members_to_json(struct.members, 'obj', 'v->')))


def gen_to_json_list(array):
    name = array.c_name()
    return ('JsonNode *qapi_to_json_%s(const %s *list)\n'
            '{\n'
            '    JsonArray *array = json_array_new();\n'
            '\n'
            '    for (; list; list = list->next) {\n'
            '        json_array_add_element(array, qapi_to_json_%s(list->value));\n'
            '    }\n'
            '    return qapi_to_json_array(array);\n'
            '}\n' % (name, name, array.element.c_name()))


# Direct JSON text output: qapi_write_T() appends what
# ph_json_write(out, qapi_to_json_T(v)) would, without building a tree.
# Member order is fixed here, at generation time: QEMU's QDict order (see
# monitor/json-writer.c), which depends only on the member names.


QDICT_BUCKETS = 512


def qdict_bucket(key):
    """The QDict bucket of @key: json-writer.c's qdict_bucket(), the tdb
    hash modulo 512, in 32-bit unsigned arithmetic."""
    data = key.encode('utf-8')
    h = (0x238F13AF * len(data)) & 0xFFFFFFFF
    for i, byte in enumerate(data):
        h = (h + ((byte << (i * 5 % 24)) & 0xFFFFFFFF)) & 0xFFFFFFFF
    return ((1103515243 * h + 12345) & 0xFFFFFFFF) % QDICT_BUCKETS


def qdict_order(members):
    """@members (inserted in this order) in the order QEMU's QDict walks
    them: bucket by bucket, the newest entry of a bucket first."""
    return [m for _, _, m in sorted(
        (qdict_bucket(m.name), -n, m) for n, m in enumerate(members))]


_JSON_ESCAPES = {'"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f',
                 '\n': '\\n', '\r': '\\r', '\t': '\\t'}


def json_quote(text):
    """@text as a JSON string the way ph_json_write_string() writes it."""
    out = '"'
    for ch in text:
        cp = ord(ch)
        if 0x20 <= cp < 0x7F and ch not in '"\\':
            out += ch
        elif ch in _JSON_ESCAPES:
            out += _JSON_ESCAPES[ch]
        else:
            if 0xD800 <= cp <= 0xDFFF or 0xFDD0 <= cp <= 0xFDEF \
                    or (cp & 0xFFFE) == 0xFFFE:
                cp = 0xFFFD
            if cp > 0xFFFF:
                out += '\\u%04X\\u%04X' % (0xD800 + ((cp - 0x10000) >> 10),
                                           0xDC00 + ((cp - 0x10000) & 0x3FF))
            else:
                out += '\\u%04X' % cp
    return out + '"'


def c_append(text, out='out'):
    """A C statement appending the constant @text (ASCII) to GString @out."""
    if len(text) == 1:
        return "g_string_append_c(%s, '%s');\n" % (
            out, text.replace('\\', '\\\\').replace("'", "\\'"))
    return 'g_string_append_len(%s, %s, %d);\n' % (out, c_string(text),
                                                    len(text.encode()))


def gen_write_members(members, access):
    """(locals, statements) writing a JSON object of @members, read from
    @access ('v->', or a function of the member giving it) into GString
    'out'.  Separators are decided here where the presence of earlier
    members is known, else with the local 'first'."""
    if isinstance(access, str):
        prefix = access

        def access(_m):
            return prefix
    ordered = qdict_order(members)
    # What is known, before each member, about what came before it:
    # 'empty' (nothing), 'some' (a member), 'unknown' (optional ones only).
    states = []
    state = 'empty'
    for m in ordered:
        states.append(state)
        if not m.optional:
            state = 'some'
        elif state == 'empty':
            state = 'unknown'
    body = ''
    pending = '{'
    for i, (m, state) in enumerate(zip(ordered, states)):
        key = json_quote(m.name) + ': '
        value = 'qapi_write_%s(out, %s%s);\n' % (m.type.c_name(), access(m),
                                                 m.c_name())
        if m.optional and pending:
            # What comes before an optional member is written regardless.
            body += indent(c_append(pending))
            pending = ''
        if state == 'empty':
            head = c_append(pending + key)
        elif state == 'some':
            head = c_append(pending + ', ' + key)
        else:
            head = (c_append(pending) if pending else '') \
                + 'g_string_append(out, first ? %s : %s);\n' \
                % (c_string(key), c_string(', ' + key))
        pending = ''
        if m.optional:
            code = head + value
            if state != 'some' and 'unknown' in states[i + 1:]:
                code += 'first = false;\n'
            body += '    if (%shas_%s) {\n%s    }\n' % (
                access(m), m.c_name(), indent(code, 2))
        else:
            body += indent(head + value)
    if pending:
        body += indent(c_append(pending + '}'))
    else:
        body += indent(c_append('}'))
    decls = ''
    if 'unknown' in states:
        decls = '    bool first = true;\n\n'
    return decls, body


def gen_write_struct(struct):
    name = struct.c_name()
    decls, body = gen_write_members(struct.members, 'v->')
    return ('void qapi_write_%s(GString *out, const %s *v)\n'
            '{\n'
            '%s'
            '    if (!v) {\n'
            '        g_string_append_len(out, "null", 4);\n'
            '        g_return_if_fail(v != NULL);\n'
            '        return;\n'
            '    }\n'
            '%s'
            '}\n' % (name, name, decls, body))


def gen_write_list(array):
    name = array.c_name()
    return ('void qapi_write_%s(GString *out, const %s *list)\n'
            '{\n'
            "    g_string_append_c(out, '[');\n"
            '    for (const %s *l = list; l; l = l->next) {\n'
            '        if (l != list) {\n'
            '            g_string_append_len(out, ", ", 2);\n'
            '        }\n'
            '        qapi_write_%s(out, l->value);\n'
            '    }\n'
            "    g_string_append_c(out, ']');\n"
            '}\n' % (name, name, name, array.element.c_name()))


def list_decls(array):
    name = array.c_name()
    return ('void qapi_free_%s(%s *list);\n'
            'G_DEFINE_AUTOPTR_CLEANUP_FUNC(%s, qapi_free_%s)\n'
            'JsonNode *qapi_to_json_%s(const %s *list);\n'
            'void qapi_write_%s(GString *out, const %s *list);\n'
            'bool qapi_from_json_%s(JsonNode *node, const char *name,\n'
            '    %s **out, GError **error);\n'
            'bool qapi_input_%s(const QapiInputPath *path, JsonNode *node,\n'
            '    %s **out, GError **error);\n'
            % (name, name, name, name, name, name, name, name, name, name,
               name, name))


def ptr_to(ctype):
    return ctype + '*' if ctype.endswith('*') else ctype + ' *'


def gen_from_json(typ):
    name = typ.c_name()
    return ('bool qapi_from_json_%s(JsonNode *node, const char *name,\n'
            '    %s, GError **error)\n'
            '{\n'
            '    const QapiInputPath path = { NULL, name, 0 };\n'
            '\n'
            '    return qapi_input_%s(&path, node, out, error);\n'
            '}\n' % (name, var_decl(ptr_to(typ.c_type()), 'out'), name))


# Unions: the C struct holds the base's members, then a C union 'u' of the
# branch structs, by value, named after their tag values (QEMU's shape).
# Each function handles the base's members, then switches on the tag.


def union_branch(value):
    """The C access to the branch of tag @value inside 'u'."""
    return 'u.%s.' % c_name(value)


def gen_union_typedef(union):
    body = ''
    for m in union.members:
        if m.optional:
            body += '    bool has_%s;\n' % m.c_name()
        body += '    %s;\n' % var_decl(m.type.c_type(), m.c_name())
    branches = union.branch_variants()
    if branches:
        body += '    union { /* the branch of @%s */\n' % union.tag.name
        for value, typ in branches:
            body += '        %s %s;\n' % (typ.c_name(), c_name(value))
        body += '    } u;\n'
    return 'struct %s {\n%s};\n' % (union.c_name(), body)


def gen_union_switch(union, var, case_code, default_code='', block=False):
    """A switch on the tag of the union at @var ('obj'): for each branch
    the statements case_code(value, branch struct) (at one level of
    indentation; branches without any are left out), else @default_code.
    With @block, each case is a block of its own (for its locals).
    Empty when no branch has code."""
    cases = ''
    for value, typ in union.branch_variants():
        code = case_code(value, typ)
        if not code:
            continue
        label = union.tag.type.const(value)
        if block:
            cases += '    case %s: {\n%s        break;\n    }\n' % (
                label, indent(code))
        else:
            cases += '    case %s:\n%s        break;\n' % (label,
                                                          indent(code))
    if not cases:
        return default_code
    if block and default_code:
        default = '    default: {\n%s        break;\n    }\n' % indent(
            default_code)
    else:
        default = '    default:\n%s        break;\n' % indent(default_code)
    return '    switch (%s->%s) {\n%s%s    }\n' % (
        var, union.tag.c_name(), cases, default)


def gen_free_union(union):
    name = union.c_name()

    def frees(members, access):
        out = ''
        for m in members:
            code = m.type.free_code(access + m.c_name())
            if code:
                out += indent(code) + '\n'
        return out
    body = frees(union.members, 'obj->')
    body += gen_union_switch(union, 'obj', lambda value, typ: frees(
        typ.members, 'obj->' + union_branch(value)))
    return ('void qapi_free_%s(%s *obj)\n{\n    if (!obj) {\n        return;'
            '\n    }\n%s    g_free(obj);\n}\n' % (name, name, body))


def gen_to_json_union(union):
    name = union.c_name()
    body = gen_members_to_json(union.members, 'obj', 'v->')
    body += gen_union_switch(union, 'v', lambda value, typ: (
        gen_members_to_json(typ.members, 'obj', 'v->' + union_branch(value))))
    return ('JsonNode *qapi_to_json_%s(const %s *v)\n'
            '{\n'
            '    JsonObject *obj;\n'
            '\n'
            '    g_return_val_if_fail(v != NULL, json_node_new(JSON_NODE_NULL));\n'
            '    obj = json_object_new();\n'
            '%s'
            '    return qapi_to_json_object(obj);\n'
            '}\n' % (name, name, body))


def gen_write_union(union):
    """QEMU's member order depends on all the members written, so each
    branch writes the whole object."""
    name = union.c_name()
    base = union.members

    def whole(value, typ):
        members = base + (typ.members if typ else [])
        branch = 'v->' + union_branch(value) if typ else 'v->'
        decls, body = gen_write_members(
            members, lambda m: 'v->' if any(m is b for b in base) else branch)
        return decls + body
    body = gen_union_switch(union, 'v', whole, whole(None, None), block=True)
    return ('void qapi_write_%s(GString *out, const %s *v)\n'
            '{\n'
            '    if (!v) {\n'
            '        g_string_append_len(out, "null", 4);\n'
            '        g_return_if_fail(v != NULL);\n'
            '        return;\n'
            '    }\n'
            '%s'
            '}\n' % (name, name, body))


def gen_input_union(union):
    """Converts the base's members, then the branch's from the same JSON
    object, then refuses members of neither: QEMU's visiting order, so
    that the first error is the one QEMU reports."""
    name = union.c_name()

    def table(var, members):
        return '    static const char *const %s[] = { %sNULL };\n' % (
            var, ''.join('"%s", ' % m.name for m in members))
    tables = table('base_members', union.members)

    def case(value, typ):
        nonlocal tables
        if not typ.members:
            return ''
        var = 'branch_%s_members' % c_name(value)
        tables += table(var, union.members + typ.members)
        return (gen_input_members(typ.members, 'obj->' + union_branch(value))
                + '    members = %s;\n' % var)
    body = gen_input_members(union.members)
    body += gen_union_switch(union, 'obj', case)
    return gen_input_function(
        name, tables + '    const char *const *members = base_members;\n',
        '    QapiInputPath mpath = { path, NULL, 0 };\n'
        '    JsonNode *member;\n', body)


def object_decls(typ):
    """The functions of a struct or union type, declared."""
    name = typ.c_name()
    return ('\nvoid qapi_free_%s(%s *obj);\n'
            'G_DEFINE_AUTOPTR_CLEANUP_FUNC(%s, qapi_free_%s)\n'
            'JsonNode *qapi_to_json_%s(const %s *v);\n'
            'void qapi_write_%s(GString *out, const %s *v);\n'
            'bool qapi_from_json_%s(JsonNode *node, const char *name,\n'
            '    %s **out, GError **error);\n'
            'bool qapi_input_%s(const QapiInputPath *path, JsonNode *node,\n'
            '    %s **out, GError **error);\n'
            % (name, name, name, name, name, name, name, name, name,
               name, name, name))


def gen_list_code(array):
    return '\n'.join([gen_free_list(array), gen_to_json_list(array),
                      gen_write_list(array), gen_from_json(array),
                      gen_input_list(array)])


# --------------------------------------------------------------------------
# Built-in module: what every schema module shares


BUILTIN_H_HEAD = '''\
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "json-writer.h"

/*
 * Converting JSON input: where the value being converted sits, as the chain
 * of members and list elements that leads to it.  Error messages name it
 * the way QEMU's QObject input visitor does ("arg.member", "list[0]").
 * A root has no parent and an optional name; a member has a name; a list
 * element has no name and an index.
 */
typedef struct QapiInputPath {
    const struct QapiInputPath *parent;
    const char *name;
    size_t index;
} QapiInputPath;

/* The full name of @path, e.g. "o.l[2]" (newly allocated). */
char *qapi_input_path_full(const QapiInputPath *path);

/* Each of these sets @error the way QEMU's input visitor words it and
 * returns false/NULL when @node is not what is expected. */
bool qapi_input_type_error(const QapiInputPath *path, const char *expected,
    GError **error);
JsonObject *qapi_input_object(const QapiInputPath *path, JsonNode *node,
    GError **error);
JsonArray *qapi_input_array(const QapiInputPath *path, JsonNode *node,
    GError **error);
JsonNode *qapi_input_required(const QapiInputPath *path, JsonObject *obj,
    GError **error);
bool qapi_input_check_members(const QapiInputPath *path, JsonObject *obj,
    const char *const *members, GError **error);
bool qapi_input_enum(const QapiInputPath *path, JsonNode *node,
    const char *const *table, int max, int *out, GError **error);

/* For marshallers: @args (may be NULL) as a node, and the check that a
 * command without arguments got none. */
JsonNode *qapi_args_node(JsonObject *args);
bool qapi_input_no_args(JsonObject *args, GError **error);

/* Output helpers: wrap (and take) a container, look up an enum's name. */
JsonNode *qapi_to_json_object(JsonObject *obj);
JsonNode *qapi_to_json_array(JsonArray *array);
JsonNode *qapi_to_json_enum(const char *const *table, int max, int value);

/*
 * Writing JSON text directly: qapi_write_T(out, v) appends exactly what
 * ph_json_write(out, qapi_to_json_T(v)) would (QEMU's member order, string
 * escapes and number formats), without building a json-glib tree.
 */
void qapi_write_enum(GString *out, const char *const *table, int max,
    int value);

/*
 * Built-in types: qapi_input_T() converts @node (error texts as QEMU's),
 * qapi_to_json_T() makes a new node.  json-glib cannot hold integers above
 * INT64_MAX: uint64 and size values there come in (and go out) as the
 * nearest double.
 */
'''

BUILTIN_C_HEAD = '''\
#include "qapi-builtin-types.h"

#include <string.h>

#include "qmp-error.h"

static void qapi_input_path_append(GString *s, const QapiInputPath *path)
{
    if (!path->parent) {
        if (path->name) {
            g_string_append(s, path->name);
        }
    } else if (path->name) {
        qapi_input_path_append(s, path->parent);
        if (s->len) {
            g_string_append_c(s, '.');
        }
        g_string_append(s, path->name);
    } else {
        qapi_input_path_append(s, path->parent);
        g_string_append_printf(s, "[%zu]", path->index);
    }
}

char *qapi_input_path_full(const QapiInputPath *path)
{
    GString *s = g_string_new(NULL);

    qapi_input_path_append(s, path);
    if (!s->len) {
        g_string_append(s, "<anonymous>");
    }
    return g_string_free(s, FALSE);
}

/* QEMU's range and enum errors name the member alone, and "null" for a
 * list element. */
static const char *qapi_input_path_name(const QapiInputPath *path)
{
    return path->name ? path->name : "null";
}

bool qapi_input_type_error(const QapiInputPath *path, const char *expected,
    GError **error)
{
    g_autofree char *name = qapi_input_path_full(path);

    g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                "Invalid parameter type for '%s', expected: %s",
                name, expected);
    return false;
}

JsonObject *qapi_input_object(const QapiInputPath *path, JsonNode *node,
    GError **error)
{
    if (!JSON_NODE_HOLDS_OBJECT(node)) {
        qapi_input_type_error(path, "object", error);
        return NULL;
    }
    return json_node_get_object(node);
}

JsonArray *qapi_input_array(const QapiInputPath *path, JsonNode *node,
    GError **error)
{
    if (!JSON_NODE_HOLDS_ARRAY(node)) {
        qapi_input_type_error(path, "array", error);
        return NULL;
    }
    return json_node_get_array(node);
}

JsonNode *qapi_input_required(const QapiInputPath *path, JsonObject *obj,
    GError **error)
{
    JsonNode *node = json_object_get_member(obj, path->name);

    if (!node) {
        g_autofree char *name = qapi_input_path_full(path);

        g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                    "Parameter '%s' is missing", name);
    }
    return node;
}

bool qapi_input_check_members(const QapiInputPath *path, JsonObject *obj,
    const char *const *members, GError **error)
{
    GList *names = json_object_get_members(obj);
    bool ok = true;

    for (GList *l = names; l; l = l->next) {
        if (!g_strv_contains((const gchar *const *)members, l->data)) {
            const QapiInputPath mpath = { path, l->data, 0 };
            g_autofree char *name = qapi_input_path_full(&mpath);

            g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                        "Parameter '%s' is unexpected", name);
            ok = false;
            break;
        }
    }
    g_list_free(names);
    return ok;
}

bool qapi_input_enum(const QapiInputPath *path, JsonNode *node,
    const char *const *table, int max, int *out, GError **error)
{
    const char *s;

    if (!JSON_NODE_HOLDS_VALUE(node) ||
        json_node_get_value_type(node) != G_TYPE_STRING) {
        return qapi_input_type_error(path, "string", error);
    }
    s = json_node_get_string(node);
    for (int i = 0; i < max; i++) {
        if (table[i] && !strcmp(table[i], s)) {
            *out = i;
            return true;
        }
    }
    g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                "Parameter '%s' does not accept value '%s'",
                qapi_input_path_name(path), s);
    return false;
}

JsonNode *qapi_args_node(JsonObject *args)
{
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);

    if (args) {
        json_node_set_object(node, args);
    } else {
        json_node_take_object(node, json_object_new());
    }
    return node;
}

bool qapi_input_no_args(JsonObject *args, GError **error)
{
    static const char *const none[] = { NULL };
    const QapiInputPath path = { NULL, NULL, 0 };

    return !args || qapi_input_check_members(&path, args, none, error);
}

JsonNode *qapi_to_json_object(JsonObject *obj)
{
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(node, obj);
    return node;
}

JsonNode *qapi_to_json_array(JsonArray *array)
{
    JsonNode *node = json_node_new(JSON_NODE_ARRAY);

    json_node_take_array(node, array);
    return node;
}

JsonNode *qapi_to_json_enum(const char *const *table, int max, int value)
{
    g_return_val_if_fail(value >= 0 && value < max && table[value],
                         json_node_new(JSON_NODE_NULL));
    return json_node_init_string(json_node_alloc(), table[value]);
}

void qapi_write_enum(GString *out, const char *const *table, int max,
    int value)
{
    if (!(value >= 0 && value < max && table[value])) {
        g_string_append_len(out, "null", 4);
        g_return_if_fail(value >= 0 && value < max && table[value]);
        return;
    }
    ph_json_write_string(out, table[value]);
}

static bool qapi_input_is(JsonNode *node, GType type)
{
    return JSON_NODE_HOLDS_VALUE(node) && json_node_get_value_type(node) == type;
}

bool qapi_input_str(const QapiInputPath *path, JsonNode *node, char **out,
    GError **error)
{
    *out = NULL;
    if (!qapi_input_is(node, G_TYPE_STRING)) {
        return qapi_input_type_error(path, "string", error);
    }
    *out = g_strdup(json_node_get_string(node));
    return true;
}

bool qapi_input_number(const QapiInputPath *path, JsonNode *node, double *out,
    GError **error)
{
    if (qapi_input_is(node, G_TYPE_INT64)) {
        *out = json_node_get_int(node);
    } else if (qapi_input_is(node, G_TYPE_DOUBLE)) {
        *out = json_node_get_double(node);
    } else {
        return qapi_input_type_error(path, "number", error);
    }
    return true;
}

bool qapi_input_int(const QapiInputPath *path, JsonNode *node, int64_t *out,
    GError **error)
{
    if (!qapi_input_is(node, G_TYPE_INT64)) {
        return qapi_input_type_error(path, "integer", error);
    }
    *out = json_node_get_int(node);
    return true;
}

static bool qapi_input_intN(const QapiInputPath *path, JsonNode *node,
    int64_t min, int64_t max, const char *type, int64_t *out, GError **error)
{
    if (!qapi_input_int(path, node, out, error)) {
        return false;
    }
    if (*out < min || *out > max) {
        g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                    "Parameter '%s' expects %s", qapi_input_path_name(path),
                    type);
        return false;
    }
    return true;
}

/*
 * QEMU takes any integer from INT64_MIN to UINT64_MAX, negative ones cast
 * (for backward compatibility).  json-glib has no uint64: Porthole's QMP
 * reader (json-streamer.h) delivers integers from 2^63 up as the nearest
 * double, json-glib's own parser as the int64 of the same bits.  Both are
 * taken; 2^64, which UINT64_MAX rounds to, stands for UINT64_MAX.  Other
 * doubles are refused, as QEMU refuses them.
 */
bool qapi_input_uint64(const QapiInputPath *path, JsonNode *node,
    uint64_t *out, GError **error)
{
    if (qapi_input_is(node, G_TYPE_INT64)) {
        *out = (uint64_t)json_node_get_int(node);
        return true;
    }
    if (qapi_input_is(node, G_TYPE_DOUBLE)) {
        double d = json_node_get_double(node);

        if (d >= 0x1p63 && d < 0x1p64) {
            *out = (uint64_t)d;
            return true;
        }
        if (d == 0x1p64) {
            *out = UINT64_MAX;
            return true;
        }
    }

    g_autofree char *name = qapi_input_path_full(path);

    g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                "Parameter '%s' expects uint64", name);
    return false;
}

static bool qapi_input_uintN(const QapiInputPath *path, JsonNode *node,
    uint64_t max, const char *type, uint64_t *out, GError **error)
{
    if (!qapi_input_uint64(path, node, out, error)) {
        return false;
    }
    if (*out > max) {
        g_set_error(error, QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                    "Parameter '%s' expects %s", qapi_input_path_name(path),
                    type);
        return false;
    }
    return true;
}

bool qapi_input_bool(const QapiInputPath *path, JsonNode *node, bool *out,
    GError **error)
{
    if (!qapi_input_is(node, G_TYPE_BOOLEAN)) {
        return qapi_input_type_error(path, "boolean", error);
    }
    *out = json_node_get_boolean(node);
    return true;
}

bool qapi_input_null(const QapiInputPath *path, JsonNode *node,
    JsonNode **out, GError **error)
{
    *out = NULL;
    if (!JSON_NODE_HOLDS_NULL(node)) {
        return qapi_input_type_error(path, "null", error);
    }
    *out = json_node_new(JSON_NODE_NULL);
    return true;
}

bool qapi_input_any(const QapiInputPath *path, JsonNode *node,
    JsonNode **out, GError **error)
{
    (void)path;
    (void)error;
    *out = json_node_copy(node);
    return true;
}

JsonNode *qapi_to_json_str(const char *v)
{
    return json_node_init_string(json_node_alloc(), v ? v : "");
}

JsonNode *qapi_to_json_number(double v)
{
    return json_node_init_double(json_node_alloc(), v);
}

JsonNode *qapi_to_json_int(int64_t v)
{
    return json_node_init_int(json_node_alloc(), v);
}

JsonNode *qapi_to_json_uint64(uint64_t v)
{
    if (v > INT64_MAX) {
        return json_node_init_double(json_node_alloc(), (double)v);
    }
    return json_node_init_int(json_node_alloc(), (int64_t)v);
}

JsonNode *qapi_to_json_bool(bool v)
{
    return json_node_init_boolean(json_node_alloc(), v);
}

JsonNode *qapi_to_json_null(JsonNode *v)
{
    (void)v;
    return json_node_new(JSON_NODE_NULL);
}

JsonNode *qapi_to_json_any(JsonNode *v)
{
    return v ? json_node_copy(v) : json_node_new(JSON_NODE_NULL);
}
'''

_SIZED_INTS = [('int8', 'INT8'), ('int16', 'INT16'), ('int32', 'INT32')]
_SIZED_UINTS = [('uint8', 'UINT8'), ('uint16', 'UINT16'), ('uint32', 'UINT32')]


_BUILTIN_WRITE = {
    'string': 'ph_json_write_string(out, v);\n',
    'number': 'ph_json_write_double(out, v);\n',
    'int': 'ph_json_write_int(out, v);\n',
    'uint64': ('if (v > INT64_MAX) {\n'
               '    ph_json_write_double(out, (double)v);\n'
               '} else {\n'
               '    ph_json_write_int(out, (int64_t)v);\n'
               '}\n'),
    'boolean': ('if (v) {\n'
                '    g_string_append_len(out, "true", 4);\n'
                '} else {\n'
                '    g_string_append_len(out, "false", 5);\n'
                '}\n'),
    'null': '(void)v;\ng_string_append_len(out, "null", 4);\n',
    'value': 'ph_json_write(out, v);\n',
}


def gen_builtin_module(schema):
    h = BUILTIN_H_HEAD
    for t in schema.builtins.values():
        h += ('bool qapi_input_%s(const QapiInputPath *path, JsonNode *node,\n'
              '    %s*out, GError **error);\n'
              % (t.name, var_decl(t.c_type(), '')))
        h += 'JsonNode *qapi_to_json_%s(%s);\n' \
            % (t.name, var_decl(t.c_param_type(), 'v'))
    c = BUILTIN_C_HEAD
    for name, lim in _SIZED_INTS:
        c += ('\nbool qapi_input_%s(const QapiInputPath *path, JsonNode *node,'
              '\n    %s_t *out, GError **error)\n{\n    int64_t v;\n\n'
              '    if (!qapi_input_intN(path, node, %s_MIN, %s_MAX, "%s_t", '
              '&v, error)) {\n        return false;\n    }\n'
              '    *out = v;\n    return true;\n}\n'
              % (name, name, lim, lim, name))
        c += ('\nJsonNode *qapi_to_json_%s(%s_t v)\n{\n'
              '    return qapi_to_json_int(v);\n}\n' % (name, name))
    c += ('\nbool qapi_input_int64(const QapiInputPath *path, JsonNode *node,'
          '\n    int64_t *out, GError **error)\n{\n'
          '    return qapi_input_int(path, node, out, error);\n}\n'
          '\nJsonNode *qapi_to_json_int64(int64_t v)\n{\n'
          '    return qapi_to_json_int(v);\n}\n')
    for name, lim in _SIZED_UINTS:
        c += ('\nbool qapi_input_%s(const QapiInputPath *path, JsonNode *node,'
              '\n    %s_t *out, GError **error)\n{\n    uint64_t v;\n\n'
              '    if (!qapi_input_uintN(path, node, %s_MAX, "%s_t", &v, '
              'error)) {\n        return false;\n    }\n'
              '    *out = v;\n    return true;\n}\n'
              % (name, name, lim, name))
        c += ('\nJsonNode *qapi_to_json_%s(%s_t v)\n{\n'
              '    return qapi_to_json_int(v);\n}\n' % (name, name))
    c += ('\nbool qapi_input_size(const QapiInputPath *path, JsonNode *node,'
          '\n    uint64_t *out, GError **error)\n{\n'
          '    return qapi_input_uint64(path, node, out, error);\n}\n'
          '\nJsonNode *qapi_to_json_size(uint64_t v)\n{\n'
          '    return qapi_to_json_uint64(v);\n}\n')

    h += '\n/* Built-in types as JSON text (see qapi_write_enum()). */\n'
    for t in schema.builtins.values():
        h += ('\nstatic inline void qapi_write_%s(GString *out, %s)\n{\n%s}\n'
              % (t.name, var_decl(t.c_param_type(), 'v'),
                 indent(_BUILTIN_WRITE[t.json_type if t.name not in
                                       ('uint64', 'size') else 'uint64'])))
    h += '\n/* Lists of built-in types. */\n'
    arrays = [schema.array_of(t) for t in schema.builtins.values()]
    for a in arrays:
        h += 'typedef struct %s %s;\n' % (a.c_name(), a.c_name())
    for a in arrays:
        h += '\n' + gen_list_typedef(a) + list_decls(a)
        c += '\n' + gen_list_code(a)
    return h, c


# --------------------------------------------------------------------------
# Types module


def gen_types(schema, prefix):
    hname = prefix + 'qapi-types.h'
    h = ('#pragma once\n\n#include <stdbool.h>\n#include <stdint.h>\n\n'
         '#include <glib.h>\n#include <json-glib/json-glib.h>\n\n'
         '#include "qapi-builtin-types.h"\n')
    c = '#include "%s"\n' % hname
    types = schema.types()
    structs = [t for t in types if isinstance(t, StructType)]
    unions = [t for t in types if isinstance(t, UnionType)]
    enums = [t for t in types if isinstance(t, EnumType)]
    arrays = schema.used_arrays()

    fwd = ''
    for t in structs + unions + arrays:
        fwd += wrap_if(t.ifcond, 'typedef struct %s %s;\n'
                       % (t.c_name(), t.c_name()))
    if fwd:
        h += '\n' + fwd

    for e in enums:
        name = e.c_name()
        consts = ''.join('    %s,\n' % e.const(v) for v, _ in e.values)
        maxc = e.const('_MAX')
        decl = ('typedef enum %s {\n%s    %s\n} %s;\n\n'
                'extern const char *const %s_str[];\n'
                'bool %s_from_str(const char *s, %s *out);\n'
                'JsonNode *qapi_to_json_%s(%s v);\n'
                'void qapi_write_%s(GString *out, %s v);\n'
                'bool qapi_from_json_%s(JsonNode *node, const char *name,\n'
                '    %s *out, GError **error);\n'
                'bool qapi_input_%s(const QapiInputPath *path, JsonNode *node,\n'
                '    %s *out, GError **error);\n'
                % (name, consts, maxc, name, name, name, name, name, name,
                   name, name, name, name, name, name))
        h += '\n' + wrap_if(e.ifcond, decl)
        strs = ''.join('    [%s] = "%s",\n' % (e.const(v), v)
                       for v, _ in e.values)
        code = ('const char *const %s_str[%s + 1] = {\n%s    [%s] = NULL,\n};\n'
                '\n'
                'bool %s_from_str(const char *s, %s *out)\n'
                '{\n'
                '    for (int i = 0; s && i < %s; i++) {\n'
                '        if (!strcmp(%s_str[i], s)) {\n'
                '            *out = i;\n'
                '            return true;\n'
                '        }\n'
                '    }\n'
                '    return false;\n'
                '}\n'
                '\n'
                'JsonNode *qapi_to_json_%s(%s v)\n'
                '{\n'
                '    return qapi_to_json_enum(%s_str, %s, v);\n'
                '}\n'
                '\n'
                'void qapi_write_%s(GString *out, %s v)\n'
                '{\n'
                '    qapi_write_enum(out, %s_str, %s, v);\n'
                '}\n'
                '\n'
                'bool qapi_input_%s(const QapiInputPath *path, JsonNode *node,\n'
                '    %s *out, GError **error)\n'
                '{\n'
                '    int v;\n'
                '\n'
                '    if (!qapi_input_enum(path, node, %s_str, %s, &v, error)) {\n'
                '        return false;\n'
                '    }\n'
                '    *out = v;\n'
                '    return true;\n'
                '}\n'
                '\n' % (name, maxc, strs, maxc, name, name, maxc, name, name,
                        name, name, maxc, name, name, name, maxc, name, name,
                        name, maxc))
        code += gen_from_json(e)
        c += '\n' + wrap_if(e.ifcond, code)

    for t in structs:
        decl = gen_struct_typedef(t) + object_decls(t)
        h += '\n' + wrap_if(t.ifcond, decl)
        code = '\n'.join([gen_free_struct(t), gen_to_json_struct(t),
                          gen_write_struct(t), gen_from_json(t),
                          gen_input_struct(t)])
        c += '\n' + wrap_if(t.ifcond, code)

    # After every struct: a union holds its branch structs by value.
    for t in unions:
        decl = gen_union_typedef(t) + object_decls(t)
        h += '\n' + wrap_if(t.ifcond, decl)
        code = '\n'.join([gen_free_union(t), gen_to_json_union(t),
                          gen_write_union(t), gen_from_json(t),
                          gen_input_union(t)])
        c += '\n' + wrap_if(t.ifcond, code)

    for a in arrays:
        h += '\n' + wrap_if(a.ifcond, gen_list_typedef(a) + list_decls(a))
        c += '\n' + wrap_if(a.ifcond, gen_list_code(a))

    if enums:
        c = c.replace('#include "%s"\n' % hname,
                      '#include "%s"\n\n#include <string.h>\n' % hname, 1)
    return h, c


# --------------------------------------------------------------------------
# Commands module


COMMANDS_H_NOTE = '''\
/*
 * A handler gets the arguments flattened, QEMU-style: an optional argument
 * comes as 'bool has_x, T x'.  Arguments belong to the marshaller and are
 * valid during the call only.  A handler returns its result (owned by the
 * caller; NULL for an empty list), or bool for a command without result,
 * and on failure sets @error and returns NULL/false.  An 'async' handler
 * instead completes @ret itself, now or later: with its _return() function
 * or with qmp_return_error().
 */
'''


def wrap_args(head, args, tail, cont='    '):
    """head + ', '.join(args) + tail, broken after commas so that lines
    stay within 80 columns; continuation lines start with @cont."""
    line = head
    out = ''
    for n, arg in enumerate(args):
        arg += ', ' if n + 1 < len(args) else tail
        if len(line) + len(arg.rstrip()) > 79 and line.strip() \
                and line != head:
            out += line.rstrip() + '\n'
            line = cont
        line += arg
    return out + line


def func_decl(rtype, name, params, coroutine=False):
    """'StatusInfo *' + 'qmp_x' -> 'StatusInfo *coroutine_fn qmp_x(...)'."""
    cfn = 'coroutine_fn ' if coroutine else ''
    return wrap_args('%s%s(' % (var_decl(rtype, cfn), name),
                     params.split(', '), ')')


def handler_decl(cmd):
    """The prototype of the hand-written handler (without ';')."""
    args = cmd.arg_type.members if cmd.arg_type else []
    name = 'qmp_' + cmd.c_name()
    if cmd.is_async:
        return func_decl('void', name, gen_params(args, ['QmpReturn *ret']),
                         cmd.coroutine)
    rtype = cmd.ret_type.c_type() if cmd.ret_type else 'bool'
    return func_decl(rtype, name, gen_params(args, ['GError **error']),
                     cmd.coroutine)


def return_decl(cmd):
    if cmd.ret_type is None:
        return 'void qmp_%s_return(QmpReturn *ret)' % cmd.c_name()
    return 'void qmp_%s_return(QmpReturn *ret, %s)' % (
        cmd.c_name(), var_decl(cmd.ret_type.c_type(), 'value'))


def marshal_decl(cmd):
    return func_decl('void', 'qmp_marshal_' + cmd.c_name(),
                     'JsonObject *args, QmpReturn *ret',
                     cmd.coroutine and cmd.gen)


def command_flags(cmd):
    flags = []
    if not cmd.success_response:
        flags.append('QCO_NO_SUCCESS_RESP')
    if cmd.allow_oob:
        flags.append('QCO_ALLOW_OOB')
    if cmd.allow_preconfig:
        flags.append('QCO_ALLOW_PRECONFIG')
    if cmd.coroutine:
        flags.append('QCO_COROUTINE')
    if cmd.is_async:
        flags.append('QCO_ASYNC')
    return flags


def gen_marshal(cmd):
    name = cmd.c_name()
    arg = cmd.arg_type
    locals_ = ''
    body = ''
    if arg is not None:
        locals_ += ('    const QapiInputPath path = { NULL, NULL, 0 };\n'
                    '    g_autoptr(JsonNode) args_node = qapi_args_node(args);\n'
                    '    g_autoptr(%s) arg = NULL;\n' % arg.c_name())
        body += ('    if (!qapi_input_%s(&path, args_node, &arg, &err)) {\n'
                 '        qmp_return_error(ret, err);\n'
                 '        return;\n'
                 '    }\n' % arg.c_name())
        call_args = []
        for m in arg.members:
            if m.optional:
                call_args.append('arg->has_' + m.c_name())
            call_args.append('arg->' + m.c_name())
    else:
        body += ('    if (!qapi_input_no_args(args, &err)) {\n'
                 '        qmp_return_error(ret, err);\n'
                 '        return;\n'
                 '    }\n')
        call_args = []
    locals_ += '    GError *err = NULL;\n'

    rt = cmd.ret_type
    uses_fail = False
    if cmd.is_async:
        body += wrap_args('    qmp_%s(' % name, call_args + ['ret'], ');\n',
                          '        ')
    else:
        def call(result):
            return wrap_args('    %s = qmp_%s(' % (result, name),
                             call_args + ['&err'], ');\n', '        ')
        uses_fail = True
        if rt is None:
            locals_ += '    bool ok;\n'
            body += call('ok')
            body += ('    if (!ok || err) {\n'
                     '        qmp_marshal_fail(ret, "%s", err);\n'
                     '        return;\n'
                     '    }\n'
                     '    qmp_return(ret, NULL);\n' % cmd.name)
        else:
            if isinstance(rt, (StructType, UnionType, ArrayType)):
                locals_ += '    g_autoptr(%s) retval = NULL;\n' % rt.c_name()
            elif rt.name == 'str':
                locals_ += '    g_autofree char *retval = NULL;\n'
            elif rt.name in ('any', 'null'):
                locals_ += '    g_autoptr(JsonNode) retval = NULL;\n'
            else:
                locals_ += '    %s;\n' % var_decl(rt.c_type(), 'retval')
            # NULL is an empty list, but for other pointers it is a failure.
            check = 'err' if not rt.is_pointer() or \
                isinstance(rt, ArrayType) else '!retval || err'
            if rt.name in ('any', 'null'):
                result = 'g_steal_pointer(&retval)'
            else:
                result = 'qapi_to_json_%s(retval)' % rt.c_name()
            body += call('retval')
            body += ('    if (%s) {\n'
                     '        qmp_marshal_fail(ret, "%s", err);\n'
                     '        return;\n'
                     '    }\n' % (check, cmd.name))
            if isinstance(rt, (StructType, UnionType, ArrayType)):
                # Straight to JSON text, without a json-glib tree.
                body += ('    GString *text = g_string_new(NULL);\n\n'
                         '    qapi_write_%s(text, retval);\n'
                         '    qmp_return_text(ret, text);\n' % rt.c_name())
            else:
                body += '    qmp_return(ret, %s);\n' % result
    code = '%s\n{\n%s\n%s}\n' % (marshal_decl(cmd), locals_, body)
    if cmd.is_async:
        code += '\n' + return_decl(cmd) + '\n{\n'
        if rt is None:
            code += '    qmp_return(ret, NULL);\n'
        elif rt.name in ('any', 'null'):
            code += '    qmp_return(ret, value);\n'
        elif isinstance(rt, (StructType, UnionType, ArrayType)):
            code += ('    GString *text = g_string_new(NULL);\n\n'
                     '    qapi_write_%s(text, value);\n'
                     '    %s\n'
                     '    qmp_return_text(ret, text);\n'
                     % (rt.c_name(), rt.free_code('value')))
        else:
            code += '    JsonNode *node = qapi_to_json_%s(value);\n\n' \
                % rt.c_name()
            free = rt.free_code('value')
            if free:
                code += '    %s\n' % free
            code += '    qmp_return(ret, node);\n'
        code += '}\n'
    return code, uses_fail


MARSHAL_FAIL = '''\
/* Completes @ret with @err; a handler that failed without saying why is a
 * bug, but its client still gets an error. */
static void qmp_marshal_fail(QmpReturn *ret, const char *command, GError *err)
{
    if (!err) {
        g_critical("handler of '%s' failed without setting an error", command);
        err = g_error_new(QMP_ERROR, QMP_ERROR_GENERIC_ERROR,
                          "Command '%s' failed", command);
    }
    qmp_return_error(ret, err);
}
'''


def gen_commands(schema, prefix, sym):
    hname = prefix + 'qapi-commands.h'
    cmds = schema.commands()
    h = '#pragma once\n\n#include <stdbool.h>\n\n#include <glib.h>\n' \
        '#include <json-glib/json-glib.h>\n\n'
    if any(cmd.coroutine for cmd in cmds):
        h += '#include "coroutine.h"\n'
    h += ('#include "qmp-command.h"\n#include "qmp-return.h"\n'
          '#include "%sqapi-types.h"\n\n' % prefix) + COMMANDS_H_NOTE
    c = ('#include "%s"\n\n#include "qapi-builtin-types.h"\n'
         '#include "qmp-error.h"\n' % hname)
    code_all = ''
    implicit = ''
    need_fail = False
    for cmd in cmds:
        decl = ''
        notes = []
        if cmd.allow_oob:
            notes.append("'allow-oob'")
        if cmd.allow_preconfig:
            notes.append("'allow-preconfig'")
        if cmd.coroutine:
            notes.append("'coroutine'")
        if cmd.is_async:
            notes.append("'async'")
        if not cmd.success_response:
            notes.append('no success response')
        if not cmd.gen:
            notes.append('marshaller written by hand')
        if cmd.features:
            notes.append('features: ' + ', '.join(cmd.features))
        desc = cmd.name + (' (%s)' % '; '.join(notes) if notes else '')
        decl += '/* %s */\n' % desc
        if cmd.gen:
            decl += handler_decl(cmd) + ';\n'
            if cmd.is_async:
                decl += return_decl(cmd) + ';\n'
        decl += marshal_decl(cmd) + ';\n'
        h += '\n' + wrap_if(cmd.ifcond, decl)
        if not cmd.gen:
            continue
        arg = cmd.arg_type
        if arg is not None and arg.implicit:
            name = arg.c_name()
            text = ('typedef struct %s %s;\n\n' % (name, name)
                    + gen_struct_typedef(arg) + '\n'
                    + gen_free_struct(arg, 'static ')
                    + '\nG_DEFINE_AUTOPTR_CLEANUP_FUNC(%s, qapi_free_%s)\n\n'
                    % (name, name)
                    + gen_input_struct(arg, 'static '))
            implicit += '\n' + wrap_if(cmd.ifcond, text)
        code, uses_fail = gen_marshal(cmd)
        need_fail = need_fail or uses_fail
        code_all += '\n' + wrap_if(cmd.ifcond, code)
    if need_fail:
        c += '\n' + MARSHAL_FAIL
    c += implicit + code_all

    h += ('\n/* The commands of this schema, in schema order. */\n'
          'extern const QmpCommand %sqmp_commands[];\n'
          'extern const size_t %sqmp_commands_len;\n' % (sym, sym))
    feats = ''
    table = ''
    for cmd in cmds:
        fname = 'NULL'
        if cmd.features:
            fname = '%sqmp_features_%s' % (sym, cmd.c_name())
            feats += wrap_if(cmd.ifcond, 'static const char *const %s[] = '
                             '{ %s, NULL };\n'
                             % (fname, ', '.join('"%s"' % f
                                                 for f in cmd.features)))
        flags = ' | '.join(command_flags(cmd)) or 'QCO_NO_OPTIONS'
        table += wrap_if(cmd.ifcond, '    { "%s", qmp_marshal_%s,\n'
                         '      %s, %s },\n'
                         % (cmd.name, cmd.c_name(), flags, fname))
    c += '\n' + (feats + '\n' if feats else '')
    c += ('/* The last entry, not counted in the length, is all NULL. */\n'
          'const QmpCommand %sqmp_commands[] = {\n%s'
          '    { NULL, NULL, QCO_NO_OPTIONS, NULL },\n};\n\n'
          'const size_t %sqmp_commands_len = G_N_ELEMENTS(%sqmp_commands) - 1;\n'
          % (sym, table, sym, sym))
    return h, c


# --------------------------------------------------------------------------
# Events module


def gen_events(schema, prefix):
    hname = prefix + 'qapi-events.h'
    h = '#pragma once\n\n#include <stdbool.h>\n\n#include "%sqapi-types.h"\n' \
        % prefix
    c = '#include "%s"\n\n#include "qmp-event.h"\n' % hname
    events = schema.events()
    if events:
        h += ('\n/* Each sends its event to every negotiated QMP session; '
              'callable from any\n * thread.  Arguments stay the '
              'caller\'s. */\n')
    for ev in events:
        members = ev.arg_type.members if ev.arg_type else []
        decl = func_decl('void', 'qapi_event_send_' + ev.c_name(),
                         gen_params(members, []))
        h += wrap_if(ev.ifcond, decl + ';\n')
        if members:
            body = ('    JsonObject *qapi_data = json_object_new();\n\n'
                    + gen_members_to_json(members, 'qapi_data', '')
                    + '    ph_qmp_event_emit("%s", qapi_data);\n' % ev.name)
        else:
            body = '    ph_qmp_event_emit("%s", NULL);\n' % ev.name
        c += '\n' + wrap_if(ev.ifcond, '%s\n{\n%s}\n' % (decl, body))
    return h, c


# --------------------------------------------------------------------------
# Introspection: QEMU's SchemaInfo list, as query-qmp-schema returns it


def gen_introspect(schema, prefix, sym, unmask):
    name_map = {}
    used = []
    entries = []        # (SchemaInfo dict, ifcond, comment)
    int_type = schema.builtins['int']

    def mask(name):
        if unmask:
            return name
        if name not in name_map:
            name_map[name] = str(len(name_map))
        return name_map[name]

    def use(typ):
        if isinstance(typ, BuiltinType) and typ.json_type == 'int':
            typ = int_type
        elif isinstance(typ, ArrayType) and \
                isinstance(typ.element, BuiltinType) and \
                typ.element.json_type == 'int':
            typ = schema.array_of(int_type)
        if typ not in used:
            used.append(typ)
        if isinstance(typ, BuiltinType):
            return typ.name
        if isinstance(typ, ArrayType):
            return '[' + use(typ.element) + ']'
        return mask(typ.name)

    def features(feats):
        return {'features': list(feats)} if feats else {}

    def add(name, mtype, obj, ifcond=None, feats=()):
        comment = None
        if mtype not in ('command', 'event', 'builtin', 'array'):
            if not unmask:
                comment = '"%s" = %s' % (mask(name), name)
            name = mask(name)
        obj['name'] = name
        obj['meta-type'] = mtype
        obj.update(features(feats))
        entries.append((obj, ifcond, comment))

    # Commands and events in the order of their modules (the main file,
    # then each included file), then the types they use, as they are used.
    order = sorted((e for e in schema.definitions
                    if isinstance(e, (Command, Event))),
                   key=lambda e: schema.module_of[e])
    for e in order:
        arg = use(e.arg_type or schema.empty)
        if isinstance(e, Command):
            obj = {'arg-type': arg,
                   'ret-type': use(e.ret_type or schema.empty)}
            if e.allow_oob:
                obj['allow-oob'] = True
            add(e.name, 'command', obj, e.ifcond, e.features)
        else:
            add(e.name, 'event', {'arg-type': arg}, e.ifcond, e.features)
    i = 0
    while i < len(used):
        typ = used[i]
        i += 1
        if isinstance(typ, BuiltinType):
            add(typ.name, 'builtin', {'json-type': typ.json_type})
        elif isinstance(typ, ArrayType):
            elem = use(typ.element)
            add('[' + elem + ']', 'array', {'element-type': elem},
                typ.ifcond)
        elif isinstance(typ, EnumType):
            members = []
            for v, vf in typ.values:
                m = {'name': v}
                m.update(features(vf))
                members.append(m)
            add(typ.name, 'enum', {'members': members,
                                   'values': [v for v, _ in typ.values]},
                typ.ifcond, typ.features)
        elif isinstance(typ, UnionType):
            # As QEMU: the base's members, the tag, and every tag value
            # with its branch (the empty object for those without).
            members = []
            for m in typ.members:
                obj = {'name': m.name, 'type': use(m.type)}
                if m.optional:
                    obj['default'] = None
                obj.update(features(m.features))
                members.append(obj)
            variants = [{'case': v, 'type': use(t or schema.empty)}
                        for v, t in typ.variants]
            add(typ.name, 'object', {'members': members,
                                     'tag': typ.tag.name,
                                     'variants': variants},
                typ.ifcond, typ.features)
        else:
            members = []
            for m in typ.members:
                obj = {'name': m.name, 'type': use(m.type)}
                if m.optional:
                    obj['default'] = None
                obj.update(features(m.features))
                members.append(obj)
            add(typ.name, 'object', {'members': members}, typ.ifcond,
                typ.features)

    h = ('#pragma once\n\n'
         '/* The reply of query-qmp-schema: a JSON array of SchemaInfo '
         'objects as\n * QEMU 7.2 describes its schema; type names other '
         'than built-in ones are\n * masked as numbers. */\n'
         'extern const char %sqmp_schema_json[];\n' % sym)
    c = '#include "%sqapi-introspect.h"\n\n' % prefix
    # A separator must not depend on conditional entries: entries before
    # the first unconditional one end with ',', entries after it start so.
    first = next((n for n, e in enumerate(entries) if not e[1]), None)
    if first is None and entries:
        raise QAPIError(None, '%s: introspection needs at least one '
                        'definition without a condition' % schema.fname)
    body = ''
    for n, (obj, ifcond, comment) in enumerate(entries):
        text = json.dumps(obj, sort_keys=True, separators=(',', ':'))
        if n < first:
            text += ','
        elif n > first:
            text = ',' + text
        line = ('    /* %s */\n' % comment if comment else '') \
            + '    %s\n' % c_string(text)
        body += wrap_if(ifcond, line)
    c += 'const char %sqmp_schema_json[] =\n    "["\n%s    "]";\n' \
        % (sym, body)
    return h, c


# --------------------------------------------------------------------------
# Driver


def generate(schema, prefix, builtins, unmask):
    """Returns {file name: text}."""
    sym = c_name(prefix, False) if prefix else ''
    schema_name = os.path.basename(schema.fname)
    files = {}

    def add(fname, what, text):
        files[fname] = banner(fname, what, schema_name) + '\n' + text

    if builtins:
        h, c = gen_builtin_module(schema)
        add('qapi-builtin-types.h', 'built-in QAPI types and the helpers '
            'of every schema module', h)
        add('qapi-builtin-types.c', 'built-in QAPI types and the helpers '
            'of every schema module', c)
    h, c = gen_types(schema, prefix)
    add(prefix + 'qapi-types.h', 'C types of the schema, with conversions '
        'to and from JSON', h)
    add(prefix + 'qapi-types.c', 'C types of the schema, with conversions '
        'to and from JSON', c)
    h, c = gen_commands(schema, prefix, sym)
    add(prefix + 'qapi-commands.h', 'QMP command handlers, marshallers and '
        'command table', h)
    add(prefix + 'qapi-commands.c', 'QMP command handlers, marshallers and '
        'command table', c)
    h, c = gen_events(schema, prefix)
    add(prefix + 'qapi-events.h', 'senders of the schema\'s QMP events', h)
    add(prefix + 'qapi-events.c', 'senders of the schema\'s QMP events', c)
    h, c = gen_introspect(schema, prefix, sym, unmask)
    add(prefix + 'qapi-introspect.h', 'the schema as query-qmp-schema '
        'returns it', h)
    add(prefix + 'qapi-introspect.c', 'the schema as query-qmp-schema '
        'returns it', c)
    return files


def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Generate C from a QAPI-dialect schema.')
    parser.add_argument('-o', '--output-dir', default='.',
                        help='write the generated files here')
    parser.add_argument('-p', '--prefix', default='',
                        help='prefix of file names and global symbols, '
                        'e.g. test_')
    parser.add_argument('-b', '--builtins', action='store_true',
                        help='also write qapi-builtin-types.[ch]; exactly '
                        'one module linked into a program does')
    parser.add_argument('-u', '--unmask-non-abi-names', action='store_true',
                        dest='unmask',
                        help='keep type names in introspection (debugging)')
    parser.add_argument('--depfile', help='write a Makefile dependency file')
    parser.add_argument('schema', help='the main schema file')
    args = parser.parse_args(argv)

    if args.prefix and not re.fullmatch(r'[A-Za-z_][A-Za-z0-9_]*',
                                        args.prefix):
        print('%s: prefix must be a C identifier' % sys.argv[0],
              file=sys.stderr)
        return 1
    try:
        schema = Schema(args.schema)
        files = generate(schema, args.prefix, args.builtins, args.unmask)
    except QAPIError as e:
        print(e, file=sys.stderr)
        return 1
    for fname, text in files.items():
        with open(os.path.join(args.output_dir, fname), 'w',
                  encoding='utf-8') as f:
            f.write(text)
    if args.depfile:
        outputs = [os.path.join(args.output_dir, f) for f in files]
        with open(args.depfile, 'w', encoding='utf-8') as f:
            f.write('%s: %s\n' % (' '.join(outputs), ' '.join(
                os.path.abspath(f) for f in schema.files)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
