#!/usr/bin/env node
// bench/generate-trace.mjs - deterministic synthetic CPython static-marker traces for benchmarks.
//
//   node bench/generate-trace.mjs --format pyflame|dtrace --out FILE [--size-mb N] [--min-events N]
//        [--seed S] [--interleave fine|gil] [--stats-json FILE] [--quiet]
//
// Same arguments -> same bytes (seeded mulberry32 PRNG, no Math.random, no clock reads in the
// output). Sizes are in MiB (1 MB here = 1,048,576 bytes). Writing stops at the first event at
// which the file holds >= N MiB AND >= --min-events events; then every open frame returns, so the
// file ends a little past that point. Defaults: 1100 MiB and 15,000,000 events when --size-mb is
// not given (a pyflame-format file then comes out ~1273 MiB: its lines average ~89 bytes);
// with an explicit --size-mb, --min-events defaults to 0. Prints a summary on stderr;
// --stats-json writes the same numbers as JSON.
//
// Model: ~2,300 functions in 169 files (app code under /srv/app/src, Debian's python3.11
// stdlib and dist-packages, frozen modules, dataclass-generated <string> code), Pareto-
// distributed popularity, a layered call graph expanded into a FIXED call tree (each tree node is
// one distinct stack, so the set of distinct stacks is bounded: ~16-17 k), depth 1..~35,
// self/mutual recursion, loops, one-of dispatch over ~60 request handlers.
//   pyflame: pid 48211, 4 threads (main tid 48211 + 3 ThreadPoolExecutor workers 48213, 48214,
//            48216), imports nested at the start (import__find__load__start/done around the
//            importlib frames, one failed import with found=0), gc__start/gc__done (gen 0/1/2).
//   dtrace:  the CPython docs' call_stack.d layout, one thread (no pid/tid in that layout), no
//            gc/import lines (that script does not print them; importlib frames still appear).
// Entry lines report the def line (<module>: 0), returns a line a few lines below (one of 1-3
// per function); comprehensions/lambdas return on their entry line, as in CPython.
// Timestamps: boot-clock ns from 8812345678901, per-thread increments 200..20000 ns, except
// the return from a blocking call (recv_into, wait, do_execute, ...: 20 us..2 ms; the server's
// selector.select: 1..12 ms) and a gc cycle (gc__start..gc__done: 5 us..15 ms).
// --interleave fine (default): every thread has its own clock, lines merged in global timestamp
//   order, so threads alternate every few lines (the hardest case for a parser).
// --interleave gil: one thread runs at a time (GIL): switch after 5 ms or when a thread enters a
//   blocking call, to the thread that is ready first; never during a gc cycle.

import fs from 'node:fs';
import { parseArgs as parseFlags } from 'node:util';
import { pathToFileURL } from 'node:url';

export const GENERATOR_VERSION = 3;
export const DEFAULT_SIZE_MB = 1100;
export const DEFAULT_MIN_EVENTS = 15000000;
const MiB = 1048576;

// ----------------------------------------------------------------------------------------------
// arguments

const USAGE = `usage: node bench/generate-trace.mjs --format pyflame|dtrace --out FILE
         [--size-mb N (MiB, default 1100)] [--min-events N (default 15000000 when --size-mb
          is not given, else 0)] [--seed S (default 1)]
         [--interleave fine|gil (default fine; pyflame only)] [--stats-json FILE] [--quiet]`;

/**
 * The bench scripts' flags, read by node's own util.parseArgs (`--name value` and `--name=value`;
 * unknown flags and missing values are refused): a mistake goes to `die` with node's message.
 */
export function readFlags(argv, options, die) {
  try {
    return parseFlags({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    return die(err.message);
  }
}

function parseArgs(argv) {
  const v = readFlags(
    argv,
    {
      format: { type: 'string' },
      out: { type: 'string' },
      'size-mb': { type: 'string' },
      'min-events': { type: 'string' },
      seed: { type: 'string' },
      interleave: { type: 'string' },
      'stats-json': { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    die,
  );
  if (v.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const number = (text) => (text === undefined ? null : Number(text));
  const o = {
    format: v.format ?? null,
    out: v.out ?? null,
    sizeMb: number(v['size-mb']),
    minEvents: number(v['min-events']),
    seed: number(v.seed) ?? 1,
    interleave: v.interleave ?? 'fine',
    statsJson: v['stats-json'] ?? null,
    quiet: v.quiet ?? false,
  };
  if (o.format !== 'pyflame' && o.format !== 'dtrace') die('--format must be pyflame or dtrace');
  if (!o.out) die('--out FILE is required');
  // default run: >= 1100 MiB AND >= 15 M events; with an explicit --size-mb only the size counts
  if (o.minEvents === null) o.minEvents = o.sizeMb === null ? DEFAULT_MIN_EVENTS : 0;
  if (o.sizeMb === null) o.sizeMb = DEFAULT_SIZE_MB;
  if (!(o.sizeMb > 0) || !Number.isFinite(o.sizeMb)) die('--size-mb must be a positive number');
  if (!Number.isInteger(o.minEvents) || o.minEvents < 0) die('--min-events must be a non-negative integer');
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) die('--seed must be an integer 0..4294967295');
  if (o.interleave !== 'fine' && o.interleave !== 'gil') die('--interleave must be fine or gil');
  return o;
}

function die(msg) {
  process.stderr.write(`generate-trace: ${msg}\n${USAGE}\n`);
  process.exit(2);
}

// ----------------------------------------------------------------------------------------------
// PRNG (mulberry32)

/** Seeded PRNG (also used by generate-folded.mjs): same seed, same sequence, on every platform. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function rand() {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ----------------------------------------------------------------------------------------------
// the "program": files and functions

const PY = '/usr/lib/python3.11/';
const DIST = '/usr/lib/python3/dist-packages/';
const APP = '/srv/app/src/';

// [path, tier, ...function names]; duplicates within a file are distinct functions (methods of
// different classes) with different def lines.
const CURATED = [
  // stdlib, high level
  [PY + 'json/__init__.py', 'hi', 'dumps', 'loads', 'dump', 'load', 'detect_encoding'],
  [
    PY + 'logging/__init__.py',
    'hi',
    'info',
    'debug',
    'warning',
    '_log',
    'makeRecord',
    '__init__',
    'handle',
    'callHandlers',
    'emit',
    'format',
    'getMessage',
    'findCaller',
    'isEnabledFor',
    'filter',
    'acquire',
    'release',
    'flush',
    'formatTime',
    'usesTime',
    'formatMessage',
    'getEffectiveLevel',
    'format',
    'handle',
    'filter',
  ],
  [
    PY + 'socketserver.py',
    'hi',
    'serve_forever',
    '_handle_request_noblock',
    'process_request',
    'finish_request',
    'verify_request',
    '__init__',
    'shutdown_request',
    'close_request',
    'handle',
    'setup',
    'finish',
    'service_actions',
    'fileno',
    'get_request',
  ],
  [
    PY + 'http/server.py',
    'hi',
    'handle',
    'handle_one_request',
    'parse_request',
    'send_response',
    'send_header',
    'end_headers',
    'log_request',
    'log_message',
    'send_response_only',
    'date_time_string',
    'flush_headers',
    'address_string',
  ],
  [
    PY + 'http/client.py',
    'hi',
    'request',
    '_send_request',
    'getresponse',
    'begin',
    '_read_status',
    'read',
    '_safe_read',
    'putrequest',
    'putheader',
    'endheaders',
    '_send_output',
    'send',
    'connect',
    'parse_headers',
    '_read_headers',
  ],
  [
    PY + 'urllib/parse.py',
    'hi',
    'urlparse',
    'urlsplit',
    'urlencode',
    'quote',
    'quote_plus',
    'unquote',
    'parse_qsl',
    'parse_qs',
    '_coerce_args',
    '_splitnetloc',
    'quote_from_bytes',
    'urljoin',
    'urlunsplit',
    '_noop',
  ],
  [PY + 'concurrent/futures/thread.py', 'hi', 'submit', '_adjust_thread_count', '_worker', 'run', '__init__'],
  [
    PY + 'concurrent/futures/_base.py',
    'hi',
    '__init__',
    'set_result',
    '_invoke_callbacks',
    'result',
    '__enter__',
    '__exit__',
    'done',
  ],
  [
    PY + 'copy.py',
    'hi',
    'deepcopy',
    '_deepcopy_dict',
    '_deepcopy_list',
    '_deepcopy_tuple',
    '_reconstruct',
    '_keep_alive',
    '_deepcopy_atomic',
    'copy',
  ],
  [
    PY + 'typing.py',
    'hi',
    'inner',
    '__getitem__',
    '_type_check',
    'cast',
    '__hash__',
    '__eq__',
    '_remove_dups_flatten',
    '__or__',
    'get_type_hints',
    '_eval_type',
    '__instancecheck__',
  ],
  [
    PY + 'enum.py',
    'hi',
    '__call__',
    '__new__',
    '_missing_',
    '__hash__',
    '__get__',
    'value',
    'name',
    '__reduce_ex__',
    '__format__',
    '__str__',
  ],
  [
    PY + 'dataclasses.py',
    'hi',
    'asdict',
    '_asdict_inner',
    'fields',
    'replace',
    'is_dataclass',
    '_is_dataclass_instance',
  ],
  [PY + 'contextlib.py', 'hi', '__enter__', '__exit__', 'helper', '__init__', 'inner', '__call__', '_recreate_cm'],
  [
    PY + 'functools.py',
    'hi',
    'wrapper',
    '__get__',
    'update_wrapper',
    '_method',
    '__call__',
    'decorating_function',
    '__set_name__',
    'reduce',
  ],
  [
    PY + 're/__init__.py',
    'hi',
    'match',
    'search',
    'sub',
    'compile',
    '_compile',
    'fullmatch',
    'findall',
    'split',
    'escape',
    'finditer',
    'subn',
    '_subx',
  ],
  [
    PY + 'textwrap.py',
    'hi',
    'dedent',
    'wrap',
    'fill',
    'indent',
    '_split',
    '_wrap_chunks',
    '_munge_whitespace',
    '_split_chunks',
  ],
  [PY + 'uuid.py', 'hi', 'uuid4', '__init__', '__str__', 'hex', '__hash__', '__eq__'],
  [
    PY + 'inspect.py',
    'hi',
    'signature',
    'from_callable',
    '_signature_from_callable',
    '_signature_from_function',
    '__init__',
    'bind',
    '_bind',
    'parameters',
    'isfunction',
    'unwrap',
    'replace',
  ],
  [
    PY + 'traceback.py',
    'hi',
    'format_exc',
    'format_exception',
    'format',
    'extract',
    '_extract_from_extended_frame_gen',
    'format_frame_summary',
    'line',
    '__init__',
    'walk_tb',
  ],
  [PY + 'hmac.py', 'hi', 'new', '__init__', 'update', 'digest', 'hexdigest', '_init_hmac', '_current'],
  [
    PY + 'base64.py',
    'hi',
    'b64encode',
    'b64decode',
    'urlsafe_b64encode',
    'urlsafe_b64decode',
    '_bytes_from_decode_data',
  ],
  [
    PY + 'random.py',
    'hi',
    'choice',
    'randint',
    'randrange',
    '_randbelow_with_getrandbits',
    'shuffle',
    'sample',
    'uniform',
  ],
  [
    PY + 'email/utils.py',
    'hi',
    'formatdate',
    'format_datetime',
    'parsedate_to_datetime',
    '_format_timetuple_and_zone',
    'parseaddr',
    'quote',
  ],
  [
    PY + 'pathlib.py',
    'hi',
    '__new__',
    '_from_parts',
    '_parse_args',
    'parse_parts',
    '__truediv__',
    '_make_child',
    'joinpath',
    'exists',
    'stat',
    '__str__',
    '__fspath__',
    '_format_parsed_parts',
    'is_file',
    'read_text',
    'name',
    'suffix',
    'parent',
    'splitroot',
  ],
  [
    PY + 'http/cookies.py',
    'hi',
    'load',
    '_BaseCookie__parse_string',
    '_BaseCookie__set',
    'value_decode',
    '_unquote',
    '__setitem__',
  ],
  [PY + 'csv.py', 'hi', 'writerow', '_dict_to_list', 'writeheader', '__next__', 'fieldnames', '__init__'],
  [PY + 'statistics.py', 'hi', 'mean', '_sum', '_convert', '_exact_ratio', 'median', 'fmean', '_fail_neg', 'quantiles'],
  [PY + 'fnmatch.py', 'hi', 'fnmatch', 'fnmatchcase', '_compile_pattern', 'translate', 'filter'],
  [
    PY + 'warnings.py',
    'hi',
    '_showwarnmsg',
    'formatwarning',
    'simplefilter',
    '__init__',
    '__enter__',
    '__exit__',
    '_add_filter',
  ],
  [
    PY + 'ipaddress.py',
    'hi',
    'ip_address',
    '__init__',
    '_ip_int_from_string',
    '_parse_octet',
    '__str__',
    '__hash__',
    '_check_packed_address',
  ],
  [PY + 'secrets.py', 'hi', 'token_hex', 'token_bytes', 'token_urlsafe', 'compare_digest'],
  [PY + 'html/__init__.py', 'hi', 'escape', 'unescape', '_replace_charref'],
  [PY + 'gettext.py', 'hi', 'gettext', 'dgettext', 'translation', 'find', '_expand_lang', 'ngettext'],
  [
    PY + 'string.py',
    'hi',
    'format',
    'vformat',
    '_vformat',
    'get_value',
    'get_field',
    'check_unused_args',
    'format_field',
    'convert_field',
    'substitute',
    'convert',
  ],
  // stdlib, low level
  [
    PY + 'threading.py',
    'lo',
    '_bootstrap',
    '_bootstrap_inner',
    'run',
    'wait',
    '__enter__',
    '__exit__',
    'notify',
    'notify_all',
    '_is_owned',
    '_release_save',
    '_acquire_restore',
    'is_set',
    'set',
    'current_thread',
    '__init__',
    'start',
    '_wait_for_tstate_lock',
    'wait',
    'ident',
  ],
  [
    PY + 'queue.py',
    'lo',
    'get',
    'put',
    'put_nowait',
    'get_nowait',
    '_qsize',
    '_get',
    '_put',
    'task_done',
    'empty',
    'qsize',
    '__init__',
  ],
  [
    PY + 'collections/__init__.py',
    'lo',
    '__init__',
    '__getitem__',
    '__setitem__',
    '__missing__',
    'namedtuple',
    '_make',
    '_replace',
    '_asdict',
    '__repr__',
    'update',
    'most_common',
    '__iter__',
    'move_to_end',
    '__contains__',
    'get',
  ],
  [
    PY + 'json/encoder.py',
    'lo',
    'encode',
    'iterencode',
    '_iterencode',
    '_iterencode_dict',
    '_iterencode_list',
    'floatstr',
    'default',
    '__init__',
    '_make_iterencode',
  ],
  [PY + 'json/decoder.py', 'lo', 'decode', 'raw_decode', '__init__', 'py_scanstring', 'JSONObject', 'JSONArray'],
  [PY + 'json/scanner.py', 'lo', 'py_make_scanner', '_scan_once', 'scan_once'],
  [
    PY + 're/_compiler.py',
    'lo',
    'compile',
    '_code',
    '_compile',
    '_compile_info',
    '_optimize_charset',
    '_simple',
    '_get_literal_prefix',
    'isstring',
    '_get_charset_prefix',
  ],
  [
    PY + 're/_parser.py',
    'lo',
    'parse',
    '_parse_sub',
    '_parse',
    'get',
    'match',
    '__getitem__',
    '__len__',
    'getwidth',
    '__init__',
    'tell',
    'append',
    'checklookbehindgroup',
    '_escape',
    '_class_escape',
    'opengroup',
    'closegroup',
    '_SubPattern__next',
    'fix_flags',
    'getuntil',
  ],
  [
    PY + 'socket.py',
    'lo',
    'readinto',
    'makefile',
    '__init__',
    '_decref_socketios',
    'close',
    'create_connection',
    'getaddrinfo',
    'accept',
    '_real_close',
    'family',
    'type',
  ],
  [
    PY + 'ssl.py',
    'lo',
    'recv_into',
    'read',
    'sendall',
    'send',
    'wrap_socket',
    'do_handshake',
    '_create',
    'getpeercert',
    '_check_connected',
  ],
  [
    PY + 'selectors.py',
    'lo',
    'select',
    'register',
    'unregister',
    '_fileobj_lookup',
    '__enter__',
    '__exit__',
    'modify',
    'get_key',
    'close',
    '_key_from_fd',
    '__getitem__',
    '__init__',
  ],
  [
    PY + 'weakref.py',
    'lo',
    '__getitem__',
    'get',
    '__setitem__',
    '__contains__',
    'remove',
    '_commit_removals',
    '__init__',
    '__call__',
    '__hash__',
    '__eq__',
  ],
  [
    PY + '_weakrefset.py',
    'lo',
    '__iter__',
    '__contains__',
    'add',
    'discard',
    '__init__',
    '_commit_removals',
    '__len__',
    '__enter__',
    '__exit__',
    '_remove',
  ],
  [PY + 'linecache.py', 'lo', 'getline', 'getlines', 'updatecache', 'checkcache', 'lazycache'],
  [PY + 'encodings/idna.py', 'lo', 'encode', 'decode', 'nameprep', 'ToASCII', 'ToUnicode'],
  [PY + 'encodings/utf_8.py', 'lo', 'decode', 'encode'],
  [PY + 'glob.py', 'lo', 'glob', 'iglob', '_iglob', '_glob1', '_listdir', '_iterdir', 'has_magic'],
  [
    '<frozen posixpath>',
    'fz',
    'join',
    'basename',
    'dirname',
    'split',
    'splitext',
    'normpath',
    'abspath',
    'isabs',
    '_get_sep',
    'expanduser',
    'realpath',
    '_joinrealpath',
  ],
  [
    '<frozen genericpath>',
    'fz',
    'exists',
    'isfile',
    'isdir',
    'getmtime',
    '_check_arg_types',
    'commonprefix',
    '_splitext',
  ],
  [
    '<frozen os>',
    'fz',
    '__getitem__',
    'encode',
    'decode',
    'get',
    'getenv',
    '__contains__',
    '__iter__',
    'makedirs',
    'fsencode',
    'fsdecode',
  ],
  ['<frozen codecs>', 'fz', 'decode', 'encode', 'getstate', 'reset', '__init__'],
  ['<frozen abc>', 'fz', '__instancecheck__', '__subclasscheck__', '__new__'],
  [
    '<frozen _collections_abc>',
    'fz',
    '__contains__',
    'get',
    '__iter__',
    'keys',
    'items',
    'values',
    '__eq__',
    'update',
    'setdefault',
    'pop',
    '__len__',
    '_hash',
    '__subclasshook__',
  ],
  [
    '<frozen importlib._bootstrap>',
    'imp',
    '_find_and_load',
    '_find_and_load_unlocked',
    '_load_unlocked',
    'module_from_spec',
    '_init_module_attrs',
    '_find_spec',
    '__enter__',
    '__exit__',
    '_handle_fromlist',
    '_call_with_frames_removed',
    '_get_module_lock',
    'acquire',
    'release',
    'cb',
    'parent',
    'cached',
    '_new_module',
    'has_location',
    '__init__',
    '_lock_unlock_module',
    '_verbose_message',
  ],
  [
    '<frozen importlib._bootstrap_external>',
    'imp',
    'exec_module',
    'get_code',
    'find_spec',
    '_get_spec',
    'find_spec',
    'path_stats',
    'get_data',
    '_path_join',
    '_path_stat',
    'cache_from_source',
    '_validate_timestamp_pyc',
    '_classify_pyc',
    '_compile_bytecode',
    '_check_name_wrapper',
    'source_to_code',
    'spec_from_file_location',
    '_get_cached',
    '_fill_cache',
    '_path_is_mode_type',
    '_path_isfile',
    '_relax_case',
    'create_module',
    '__init__',
    '_path_split',
    '_r_long',
    '_pack_uint32',
  ],
  ['<string>', 'fz', '__init__', '__eq__', '__repr__', '__hash__', '__lt__', '__init__', '__eq__', '__init__'],
  // Debian dist-packages
  [
    DIST + 'sqlalchemy/orm/session.py',
    'dist',
    'execute',
    '_execute_internal',
    'scalars',
    'scalar',
    'get',
    '_get_impl',
    'commit',
    'flush',
    '_flush',
    'add',
    '_save_or_update_state',
    'close',
    'get_bind',
    '_connection_for_bind',
    '_autobegin_t',
    'begin',
    '__enter__',
    '__exit__',
    'merge',
    'refresh',
    'query',
  ],
  [
    DIST + 'sqlalchemy/orm/query.py',
    'dist',
    'all',
    'first',
    'one',
    'filter',
    'filter_by',
    'order_by',
    'limit',
    '__iter__',
    '_iter',
    '_statement_20',
    'options',
    'join',
    'count',
    'get',
    'with_entities',
    '_clone',
  ],
  [
    DIST + 'sqlalchemy/orm/loading.py',
    'dist',
    'instances',
    '_instance',
    'chunks',
    '_populate_full',
    'load_on_ident',
    'load_on_pk_identity',
    'merge_frozen_result',
    '_decorate_polymorphic_switch',
    '_set_get_options',
  ],
  [
    DIST + 'sqlalchemy/orm/context.py',
    'dist',
    'orm_pre_session_exec',
    'orm_setup_cursor_result',
    '_compile_state_factory',
    'create_for_statement',
    '_setup_for_generate',
    '_column_descriptions',
    '__init__',
    'setup_compile_state',
    'row_processor',
  ],
  [
    DIST + 'sqlalchemy/engine/base.py',
    'dist',
    'execute',
    '_execute_20',
    '_execute_clauseelement',
    '_execute_context',
    '_exec_single_context',
    '_commit_impl',
    '_rollback_impl',
    'close',
    '_handle_dbapi_exception',
    'begin',
    '_begin_impl',
    '_revalidate_connection',
    '__enter__',
    '__exit__',
    '_invoke_before_exec_event',
  ],
  [
    DIST + 'sqlalchemy/engine/default.py',
    'dist',
    'do_execute',
    '_init_compiled',
    '_setup_result_proxy',
    'pre_exec',
    'post_exec',
    '_execute_scalar',
    'create_cursor',
    '_use_server_side_cursor',
    '_get_cache_stats',
    '_setup_dml_or_text_result',
    'do_commit',
    'do_rollback',
  ],
  [
    DIST + 'sqlalchemy/engine/cursor.py',
    'dist',
    'fetchall',
    '_fetchall_impl',
    'fetchone',
    '__iter__',
    '_soft_close',
    '__init__',
    '_init_metadata',
    '_fetchiter_impl',
    'allrows',
    'process_rows',
    '_row_getter',
    '_for_freeze',
  ],
  [
    DIST + 'sqlalchemy/engine/result.py',
    'dist',
    'all',
    'scalars',
    'first',
    'one',
    '_allrows',
    '_fetchiter_impl',
    '__iter__',
    '_iter_impl',
    'scalar_one',
    '_only_one_row',
    '_row_getter',
    'process_row',
    '__init__',
  ],
  [
    DIST + 'sqlalchemy/sql/compiler.py',
    'dist',
    'process',
    'visit_select',
    'visit_column',
    'visit_binary',
    '_generate_delimited_and_list',
    'visit_bindparam',
    'bindparam_string',
    'visit_label',
    '_label_select_column',
    'visit_table',
    '_compose_select_body',
    'visit_clauselist',
    'visit_textclause',
    '__init__',
    '_process_positional',
    'construct_params',
    '_truncated_identifier',
    '_anonymize',
  ],
  [
    DIST + 'sqlalchemy/sql/elements.py',
    'dist',
    '_compiler_dispatch',
    'compile',
    '_compiler',
    '__init__',
    'operate',
    '__eq__',
    'self_group',
    '_clone',
    '_copy_internals',
    '_bind_param',
    'params',
    '_negate',
    '__bool__',
    'label',
    'comparator',
  ],
  [
    DIST + 'sqlalchemy/sql/cache_key.py',
    'dist',
    '_generate_cache_key',
    '_gen_cache_key',
    '__eq__',
    '__hash__',
    '_generate_param_dict',
  ],
  [
    DIST + 'sqlalchemy/util/langhelpers.py',
    'dist',
    '__get__',
    'oneshot',
    '__getattr__',
    'go',
    'decorate',
    'warn',
    '_exec_code_in_env',
  ],
  [
    DIST + 'jinja2/environment.py',
    'dist',
    'render',
    'get_template',
    '_load_template',
    '__init__',
    'getattr',
    'call',
    'from_string',
    'new_context',
    '_parse',
    'compile',
    'make_module',
    'root_render_func',
    'concat',
  ],
  [
    DIST + 'jinja2/runtime.py',
    'dist',
    'call',
    '__call__',
    '_invoke',
    'resolve_or_missing',
    'new_context',
    '__init__',
    'derived',
    '_fail_with_undefined_error',
    'super',
    '__getattr__',
    'markup_join',
    'str_join',
    'get_all',
    'resolve',
    '__iter__',
    '__next__',
    'length',
    'index',
  ],
  [
    DIST + 'jinja2/filters.py',
    'dist',
    'do_escape',
    'do_default',
    'do_join',
    'do_format',
    'do_truncate',
    'sync_do_join',
    'do_round',
    'do_tojson',
    '_prepare_attribute_parts',
    'make_attrgetter',
    'attrgetter',
  ],
  [
    DIST + 'markupsafe/__init__.py',
    'dist',
    '__new__',
    '__html__',
    'format',
    '__add__',
    'join',
    '_escape_argspec',
    'escape',
    '__mod__',
    'striptags',
    '__init__',
  ],
  [
    DIST + 'werkzeug/routing/map.py',
    'dist',
    'match',
    'bind',
    'bind_to_environ',
    'build',
    '_partial_build',
    'update',
    'add',
  ],
  [DIST + 'werkzeug/routing/matcher.py', 'dist', 'match', '_match', 'add', 'update'],
  [
    DIST + 'werkzeug/datastructures.py',
    'dist',
    '__getitem__',
    'get',
    '__init__',
    '__contains__',
    'getlist',
    'items',
    'keys',
    '__iter__',
    'add',
    'set',
    'to_wsgi_list',
    '_unicodify_header_value',
    'update',
    'copy',
    'setdefault',
  ],
  [
    DIST + 'werkzeug/local.py',
    'dist',
    '__get__',
    '_get_current_object',
    '__call__',
    'get',
    '__getattr__',
    'bind_f',
    '_get_current_object',
  ],
  [
    DIST + 'werkzeug/wrappers/response.py',
    'dist',
    '__init__',
    'set_data',
    'get_data',
    '__call__',
    'get_wsgi_response',
    'get_app_iter',
    'iter_encoded',
    'calculate_content_length',
    'freeze',
    'close',
    'get_wsgi_headers',
  ],
  [
    DIST + 'flask/app.py',
    'dist',
    'wsgi_app',
    'full_dispatch_request',
    'dispatch_request',
    'preprocess_request',
    'process_response',
    'finalize_request',
    'make_response',
    'handle_user_exception',
    'ensure_sync',
    'request_context',
    '__call__',
    'url_for',
    'do_teardown_request',
    'do_teardown_appcontext',
    'app_context',
    'update_template_context',
    'create_url_adapter',
  ],
  [
    DIST + 'flask/ctx.py',
    'dist',
    'push',
    'pop',
    '__enter__',
    '__exit__',
    'match_request',
    '__init__',
    'copy',
    'has_request_context',
  ],
  [
    DIST + 'flask/templating.py',
    'dist',
    'render_template',
    '_render',
    '_get_source_fast',
    'get_source',
    'list_templates',
  ],
  [DIST + 'flask/json/provider.py', 'dist', 'dumps', 'loads', 'response', '_default', 'default'],
  [
    DIST + 'redis/client.py',
    'dist',
    'execute_command',
    'parse_response',
    'pipeline',
    'execute',
    '_execute_transaction',
    '__enter__',
    '__exit__',
    '_disconnect_raise',
    'reset',
  ],
  [
    DIST + 'redis/connection.py',
    'dist',
    'send_command',
    'send_packed_command',
    'read_response',
    'pack_command',
    'connect',
    'get_connection',
    'release',
    'can_read',
    '_read_from_socket',
    'readline',
    'read',
    'encode',
    'on_connect',
    'check_health',
  ],
  [
    DIST + 'redis/commands/core.py',
    'dist',
    'get',
    'set',
    'expire',
    'hget',
    'hset',
    'delete',
    'incr',
    'exists',
    'mget',
    'setex',
    'ttl',
  ],
  [
    DIST + 'requests/sessions.py',
    'dist',
    'request',
    'send',
    'merge_environment_settings',
    'prepare_request',
    'get',
    'post',
    'resolve_redirects',
    'get_adapter',
    'rebuild_auth',
    '__enter__',
    '__exit__',
  ],
  [
    DIST + 'requests/adapters.py',
    'dist',
    'send',
    'get_connection',
    'cert_verify',
    'build_response',
    'request_url',
    'add_headers',
    'proxy_headers',
  ],
  [
    DIST + 'requests/models.py',
    'dist',
    'prepare',
    'prepare_url',
    'prepare_headers',
    'prepare_body',
    'content',
    'iter_content',
    'generate',
    'json',
    '__init__',
    'prepare_auth',
    'prepare_cookies',
    'text',
    'raise_for_status',
  ],
  [
    DIST + 'urllib3/connectionpool.py',
    'dist',
    'urlopen',
    '_make_request',
    '_get_conn',
    '_put_conn',
    '_validate_conn',
    '_prepare_proxy',
    '_get_timeout',
    '__init__',
    'is_same_host',
  ],
  [
    DIST + 'urllib3/response.py',
    'dist',
    'read',
    'stream',
    '_init_decoder',
    '_decode',
    '_fp_read',
    '__init__',
    'release_conn',
    '_error_catcher',
    'drain_conn',
    'from_httplib',
    'getheader',
    'close',
  ],
  [
    DIST + 'urllib3/connection.py',
    'dist',
    'connect',
    '_new_conn',
    'request',
    'putrequest',
    'putheader',
    'request_chunked',
    'set_tunnel',
  ],
  [
    DIST + 'urllib3/util/retry.py',
    'dist',
    'increment',
    'new',
    'is_retry',
    'sleep',
    'get_backoff_time',
    'from_int',
    '__init__',
    'is_exhausted',
  ],
  [
    DIST + 'idna/core.py',
    'dist',
    'encode',
    'alabel',
    'check_label',
    'ulabel',
    'uts46_remap',
    'check_bidi',
    'check_nfc',
    'check_hyphen_ok',
  ],
  [
    DIST + 'dateutil/parser/_parser.py',
    'dist',
    'parse',
    '_parse',
    'split',
    'get_token',
    '__init__',
    '_parse_numeric_token',
    '_build_naive',
    '_could_be_tzname',
    '_ampm_valid',
    '_parsems',
    '_to_decimal',
  ],
];

// recursive functions (self or mutual recursion with same-file recursive functions)
const RECURSIVE = new Set([
  '_iterencode',
  '_iterencode_dict',
  '_iterencode_list',
  'deepcopy',
  '_deepcopy_dict',
  '_deepcopy_list',
  '_deepcopy_tuple',
  '_reconstruct',
  '_asdict_inner',
  '_parse_sub',
  '_parse',
  '_compile',
  'process',
  'visit_select',
  'visit_binary',
  'visit_clauselist',
  '_compiler_dispatch',
  '_gen_cache_key',
  'call',
  '__call__',
  '_invoke',
  '_match',
  '_eval_type',
  'render_node',
  'walk',
  'visit',
  'to_dict',
  'resolve_tree',
  'flatten',
  '_merge',
]);
// C-level blocking calls happen inside these Python frames (--interleave gil releases the GIL there)
const BLOCKING = new Set([
  'select',
  'recv_into',
  'readinto',
  'sendall',
  'wait',
  '_wait_for_tstate_lock',
  'do_execute',
  'do_commit',
  '_read_from_socket',
  'connect',
  'getaddrinfo',
  'do_handshake',
  'sleep',
  'get_data',
]);

// app code: /srv/app/src/<kind>_<n>.py
const APP_KINDS = [
  // kind, tier, count, verbs
  ['handlers', 'handler', 5, ['handle', 'get', 'post', 'put', 'delete', 'list']],
  ['views', 'handler', 5, ['get', 'post', 'render', 'list', 'show', 'index']],
  ['api', 'handler', 4, ['get', 'post', 'patch', 'list', 'search', 'export']],
  ['services', 'service', 6, ['create', 'update', 'process', 'compute', 'apply', 'sync', 'resolve']],
  ['forms', 'service', 3, ['validate', 'clean', 'bind', 'populate']],
  ['serializers', 'service', 4, ['to_dict', 'serialize', 'dump', 'load', 'from_row']],
  ['auth', 'service', 3, ['check', 'verify', 'authorize', 'load', 'has']],
  ['middleware', 'service', 3, ['before', 'after', 'wrap', 'process']],
  ['validators', 'service', 3, ['validate', 'check', 'ensure', 'require']],
  ['pricing', 'service', 3, ['compute', 'apply', 'round', 'quote']],
  ['search', 'service', 3, ['search', 'rank', 'tokenize', 'score', 'filter']],
  ['reports', 'service', 3, ['build', 'render', 'aggregate', 'collect']],
  ['events', 'service', 2, ['emit', 'publish', 'dispatch', 'record']],
  ['models', 'core', 5, ['get', 'set', 'load', 'save', 'to_dict', 'from_row']],
  ['db', 'core', 5, ['fetch', 'query', 'execute', 'fetch_all', 'insert', 'update']],
  ['cache', 'core', 3, ['get', 'set', 'make_key', 'invalidate', 'memoize']],
  ['utils', 'core', 4, ['format', 'parse', 'normalize', 'flatten', 'chunk', 'merge']],
  ['schema', 'core', 3, ['validate', 'coerce', 'walk', 'resolve']],
  ['tasks', 'core', 2, ['run', 'enqueue', 'retry', 'schedule']],
  ['config', 'core', 2, ['get', 'load', 'resolve', 'env']],
];
const NOUNS = [
  'user',
  'order',
  'item',
  'items',
  'session',
  'row',
  'rows',
  'query',
  'result',
  'payload',
  'token',
  'record',
  'invoice',
  'account',
  'price',
  'cart',
  'field',
  'fields',
  'request',
  'response',
  'headers',
  'context',
  'page',
  'report',
  'event',
  'batch',
  'key',
  'entry',
  'job',
  'metrics',
  'perms',
  'profile',
  'address',
  'product',
  'stock',
  'tags',
  'filters',
  'params',
  'tree',
  'node',
  'totals',
  'discount',
  'tax',
  'coupon',
  'shipment',
  'limits',
];
const DUNDERS = [
  '__init__',
  '__call__',
  '__enter__',
  '__exit__',
  '__iter__',
  '__getattr__',
  '__eq__',
  '__hash__',
  '__repr__',
  '__get__',
];
const ANON = ['<listcomp>', '<genexpr>', '<lambda>', '<dictcomp>'];

const TIER_LAYERS = {
  handler: [1, 2],
  service: [2, 5],
  core: [4, 8],
  dist: [6, 11],
  hi: [8, 12],
  lo: [11, 15],
  fz: [13, 16],
  imp: [15, 16],
};
const MAX_LAYER = 16;
const LAYER_WINDOW = 5;

function buildProgram(rand) {
  const files = [];
  const fns = [];
  const pick = (arr) => arr[(rand() * arr.length) | 0];
  const pareto = () => Math.min(400, Math.pow(1 - rand(), -1 / 1.16)); // 80/20-ish popularity

  function addFile(path, tier, names) {
    const file = { path, base: basename(path), tier, fns: [] };
    files.push(file);
    let line = 10 + ((rand() * 50) | 0);
    const isFrozenish = path.startsWith('<');
    for (let i = 0; i < names.length; i++) {
      const name = names[i];
      const anon = name.startsWith('<');
      const [lo, hi] = TIER_LAYERS[tier];
      const fn = {
        id: fns.length,
        file,
        name,
        tier,
        layer: lo + Math.round(rand() * (hi - lo)),
        popularity: pareto(),
        defLine: line,
        retLines: null,
        recursive: RECURSIVE.has(name),
        blocking: BLOCKING.has(name),
        leaf: false,
        pickable: tier !== 'imp' || name === '_handle_fromlist',
        costClass: 0,
      };
      const span = 3 + ((rand() * 60) | 0);
      if (anon) {
        // comprehensions/lambdas live on one line: entry and return report the same line
        fn.retLines = [line];
        fn.leaf = rand() < 0.7;
      } else {
        const n = 1 + ((rand() * 2.2) | 0);
        const rl = new Set();
        for (let k = 0; k < n; k++) rl.add(line + 1 + ((rand() * Math.min(span, 25)) | 0));
        fn.retLines = [...rl].sort((a, b) => a - b);
      }
      fn.leaf = fn.leaf || fn.layer >= MAX_LAYER - 1 || (tier !== 'handler' && rand() < 0.28);
      if (fn.recursive) fn.leaf = false;
      if (fn.blocking) {
        fn.leaf = true;
        fn.costClass = name === 'select' ? 4 : 3;
      } else fn.costClass = (rand() * 3) | 0;
      file.fns.push(fn);
      fns.push(fn);
      line += isFrozenish ? 4 + ((rand() * 40) | 0) : span + ((rand() * 30) | 0);
    }
    // the module body: entry line 0 (CPython 3.11), returns at the last line of the file
    const mod = {
      id: fns.length,
      file,
      name: '<module>',
      tier,
      layer: 0,
      popularity: 0,
      defLine: 0,
      retLines: [line + ((rand() * 20) | 0)],
      recursive: false,
      blocking: false,
      leaf: false,
      pickable: false,
      costClass: 1,
    };
    file.module = mod;
    fns.push(mod);
    return file;
  }

  for (const [path, tier, ...names] of CURATED) addFile(path, tier, names);

  for (const [kind, tier, count, verbs] of APP_KINDS) {
    const used = new Set();
    for (let c = 0; c < count; c++) {
      let n;
      do n = 1 + ((rand() * 40) | 0);
      while (used.has(n));
      used.add(n);
      const names = [];
      const seen = new Set();
      const nfn = 10 + ((rand() * 17) | 0);
      while (names.length < nfn) {
        const r = rand();
        let name;
        if (r < 0.1) name = pick(DUNDERS);
        else if (r < 0.17) name = pick(ANON);
        else name = (rand() < 0.2 ? '_' : '') + pick(verbs) + '_' + pick(NOUNS);
        if (!name.startsWith('<') && !name.startsWith('__') && seen.has(name)) continue;
        seen.add(name);
        names.push(name);
      }
      if (
        RECURSIVE.has(names[names.length - 1]) === false &&
        (kind === 'utils' || kind === 'schema' || kind === 'serializers')
      ) {
        names.push(pick(['walk', 'to_dict', 'flatten', 'resolve_tree', '_merge', 'visit']));
      }
      addFile(`${APP}${kind}_${n}.py`, tier, names);
    }
  }
  addFile(APP + 'main.py', 'handler', ['main', 'configure_logging', 'build_app', 'parse_args']);
  return { files, fns };
}

function basename(p) {
  const i = p.lastIndexOf('/');
  return i < 0 ? p : p.slice(i + 1);
}

function findFn(prog, path, name, nth = 0) {
  for (const f of prog.files) {
    if (f.path !== path) continue;
    if (name === '<module>') return f.module;
    let k = 0;
    for (const fn of f.fns) if (fn.name === name && k++ === nth) return fn;
  }
  throw new Error(`internal: no function ${path}:${name}#${nth}`);
}

// ----------------------------------------------------------------------------------------------
// the call tree: every node is one distinct stack

const SEQ = 0; // per visit: for each child in order, call it n times (n ~ p, loops)
const ONE = 1; // per visit: call exactly one child, chosen by weight

class Tree {
  constructor(format) {
    this.format = format;
    this.nodes = [];
  }

  node(fn, parent) {
    const n = {
      id: this.nodes.length,
      fn,
      parent,
      depth: parent ? parent.depth + 1 : 0,
      children: [],
      p: [],
      m: [],
      w: null,
      cumW: null,
      mode: SEQ,
      loop: false,
      k: 0,
      entry: '',
      rets: null,
      nrets: 0,
      blocking: fn.blocking,
      costClass: fn.costClass,
      expected: 0,
      rec: 0,
    };
    this.nodes.push(n);
    return n;
  }

  // child of parent for fn, reusing an existing one (same stack)
  child(parent, fn, p = 0, m = 0) {
    for (const c of parent.children) if (c.fn === fn) return c;
    const c = this.node(fn, parent);
    parent.children.push(c);
    parent.p.push(p);
    parent.m.push(m);
    return c;
  }

  finalize() {
    for (const n of this.nodes) {
      n.k = n.children.length;
      if (n.mode === ONE) {
        n.cumW = new Float64Array(n.k);
        let s = 0;
        for (let i = 0; i < n.k; i++) {
          s += n.w[i];
          n.cumW[i] = s;
        }
        for (let i = 0; i < n.k; i++) n.cumW[i] /= s;
      }
      const fn = n.fn;
      if (this.format === 'pyflame') {
        n.entry = `\tfunction__entry\t${fn.file.path}\t${fn.name}\t${fn.defLine}\n`;
        n.rets = fn.retLines.map((l) => `\tfunction__return\t${fn.file.path}\t${fn.name}\t${l}\n`);
      } else {
        const ind = ' '.repeat(n.depth);
        n.entry = `\t function-entry:${ind}${fn.file.base}:${fn.name}:${fn.defLine}\n`;
        n.rets = fn.retLines.map((l) => `\tfunction-return:${ind}${fn.file.base}:${fn.name}:${l}\n`);
      }
      n.nrets = n.rets.length;
    }
  }
}

const MAX_DEPTH = 40; // frames, including the thread's base frames

function buildRandomSubtree(tree, cands, root, budget, rand) {
  // Grows a fixed call tree of about `budget` nodes under root. Expansion order mixes
  // "deepen the newest node" with "expand a random frontier node", which gives a few deep
  // narrow branches (recursion, layered library code) and many shallow ones. Callees are
  // functions of higher layers (lower-level code), or recursive calls.
  const frontier = [root];
  root.rec = 0;
  let made = 0;
  while (made < budget && frontier.length) {
    const idx = rand() < 0.5 ? frontier.length - 1 : (rand() * frontier.length) | 0;
    const node = frontier[idx];
    frontier[idx] = frontier[frontier.length - 1];
    frontier.pop();
    const fn = node.fn;
    const fanout = node.depth < 10 ? 6 : node.depth < 20 ? 4 : 2;
    const k = Math.min(budget - made, 1 + Math.floor(Math.pow(rand(), 1.4) * fanout));
    const chosen = [];
    const has = new Set();
    // recursion: call itself or a same-file recursive sibling
    const maxRec = 2 + ((fn.id * 7) % 7);
    if (fn.recursive && node.rec < maxRec && rand() < 0.85) {
      const sib = fn.file.fns.filter((f) => f.recursive);
      const r = rand() < 0.6 ? fn : sib[(rand() * sib.length) | 0];
      chosen.push([r, true]);
      has.add(r);
    }
    let tries = 0;
    while (chosen.length < k && tries++ < k * 6) {
      let f;
      if (rand() < 0.3) {
        // methods calling methods of the same module, possibly at the same level
        const same = fn.file.fns.filter((g) => g.layer >= fn.layer && g !== fn && g.pickable);
        if (same.length === 0) continue;
        f = same[(rand() * same.length) | 0];
      } else {
        f = cands.pick(fn.layer, rand());
        if (!f) break;
      }
      if (has.has(f)) continue;
      has.add(f);
      chosen.push([f, false]);
    }
    for (let i = 0; i < chosen.length; i++) {
      const [f, isRec] = chosen[i];
      let p, m;
      if (isRec) {
        p = 0.3 + rand() * 0.4;
        m = rand() < 0.3 ? rand() * 2 : 0;
      } else {
        p = i === 0 || rand() < 0.55 ? 0.85 + rand() * 0.15 : 0.1 + rand() * 0.6;
        const r = rand();
        m = r < 0.12 ? 1 + rand() * 9 : r < 0.35 ? rand() * 1.2 : 0;
      }
      const c = tree.child(node, f, p, m);
      c.rec = isRec ? node.rec + 1 : 0;
      made++;
      if (!f.leaf && c.depth < MAX_DEPTH - 1) frontier.push(c);
    }
  }
  return made;
}

class Candidates {
  // per caller layer L: callees with layer in (L, L+LAYER_WINDOW], weighted by popularity
  constructor(fns) {
    this.byLayer = [];
    for (let L = 0; L <= MAX_LAYER; L++) {
      const list = fns.filter((f) => f.pickable && f.name !== '<module>' && f.layer > L && f.layer <= L + LAYER_WINDOW);
      const cum = new Float64Array(list.length);
      let s = 0;
      for (let i = 0; i < list.length; i++) {
        // prefer the next couple of layers down
        s += list[i].popularity * (list[i].layer - L === 1 ? 4 : list[i].layer - L === 2 ? 2 : 1);
        cum[i] = s;
      }
      this.byLayer.push({ list, cum, total: s });
    }
  }
  pick(layer, u) {
    const b = this.byLayer[Math.min(layer, MAX_LAYER)];
    if (!b.list.length) return null;
    const x = u * b.total;
    let lo = 0,
      hi = b.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (b.cum[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return b.list[lo];
  }
}

// expected events of one visit; caps runaway subtrees by scaling the children's call counts
function computeExpected(node, cap) {
  // iterative post-order
  const order = [];
  const st = [node];
  while (st.length) {
    const n = st.pop();
    order.push(n);
    for (const c of n.children) st.push(c);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i];
    if (n.loop) {
      n.expected = Infinity;
      continue;
    }
    let s = 0;
    if (n.mode === ONE) {
      let wsum = 0;
      for (let j = 0; j < n.children.length; j++) wsum += n.w[j];
      for (let j = 0; j < n.children.length; j++) s += (n.w[j] / wsum) * n.children[j].expected;
    } else {
      for (let j = 0; j < n.children.length; j++) if (n.p[j] > 0) s += n.p[j] * (1 + n.m[j]) * n.children[j].expected;
    }
    const c = n.depth <= 8 ? cap : cap / 4;
    if (n.mode === SEQ && s > c) {
      const f = c / s;
      for (let j = 0; j < n.children.length; j++) {
        const e = n.p[j] * (1 + n.m[j]) * f;
        if (e <= n.p[j]) {
          n.p[j] = e;
          n.m[j] = 0;
        } else n.m[j] = e / n.p[j] - 1;
      }
      s = c;
    }
    n.expected = 2 + s;
  }
}

// Script ops executed before a thread's random walk.
const OP_ENTRY = 0,
  OP_RETURN = 1,
  OP_RAW = 2,
  OP_ENTRY_LIVE = 3;

export function buildModel(format, seed) {
  const rand = mulberry32(seed);
  const prog = buildProgram(rand);
  const cands = new Candidates(prog.fns);
  const tree = new Tree(format);
  const F = (path, name, nth) => findFn(prog, path, name, nth);
  const BOOT = '<frozen importlib._bootstrap>';
  const EXT = '<frozen importlib._bootstrap_external>';

  // request handlers: app handler functions, Pareto popularity
  const handlers = prog.fns.filter(
    (f) => f.tier === 'handler' && f.pickable && !f.name.startsWith('<') && f.file.path !== APP + 'main.py',
  );
  handlers.sort((a, b) => b.popularity - a.popularity || a.id - b.id);
  const routes = handlers.slice(0, 60);

  function buildDispatch(parent, dispatcherFn, budget) {
    const d = tree.child(parent, dispatcherFn, 1, 0);
    d.mode = ONE;
    d.w = [];
    const tot = routes.reduce((a, f) => a + Math.sqrt(f.popularity), 0);
    let carry = 0;
    for (const f of routes) {
      const c = tree.child(d, f, 0, 0);
      d.w.push(f.popularity);
      const want = Math.max(3, Math.round((budget * Math.sqrt(f.popularity)) / tot)) + carry;
      carry = want - buildRandomSubtree(tree, cands, c, want, rand);
    }
    return d;
  }

  // ---- import prelude (main thread) ----
  const script = [];
  const E = (n) => script.push(OP_ENTRY, n);
  const R = (n) => script.push(OP_RETURN, n);
  const RAW = (s) => {
    if (format === 'pyflame') script.push(OP_RAW, s);
  };
  const call = (parent, fn, body) => {
    const n = tree.child(parent, fn);
    E(n);
    if (body) body(n);
    R(n);
    return n;
  };

  const appFile = (kind) => prog.files.filter((f) => f.path.startsWith(APP + kind + '_'));
  const modName = (f) => {
    if (f.path.startsWith(APP)) return f.base.replace(/\.py$/, '');
    let rel = f.path.startsWith(PY) ? f.path.slice(PY.length) : f.path.slice(DIST.length);
    rel = rel.replace(/\.py$/, '').replace(/\/__init__$/, '');
    return rel.replace(/\//g, '.');
  };
  const fileOf = (p) => prog.files.find((f) => f.path === p);

  function importModule(parent, file, deps, found = true) {
    const name = typeof file === 'string' ? file : modName(file);
    RAW(`\timport__find__load__start\t${name}\n`);
    call(parent, F(BOOT, '_find_and_load'), (fl) => {
      call(fl, F(BOOT, '__enter__'), (en) => {
        call(en, F(BOOT, '_get_module_lock'));
        call(en, F(BOOT, 'acquire'));
      });
      call(fl, F(BOOT, '_find_and_load_unlocked'), (flu) => {
        call(flu, F(BOOT, '_find_spec'), (fs_) => {
          call(fs_, F(BOOT, '__enter__'));
          call(fs_, F(EXT, 'find_spec', 0), (pf) => {
            call(pf, F(EXT, '_get_spec'), (gs) => {
              const n = found ? 1 + ((rand() * 3) | 0) : 3;
              for (let i = 0; i < n; i++) {
                call(gs, F(EXT, 'find_spec', 1), (ff) => {
                  call(ff, F(EXT, '_path_stat'));
                  call(ff, F(EXT, '_path_join'));
                  if (i === n - 1 && found)
                    call(ff, F(EXT, '_path_isfile'), (pi) =>
                      call(pi, F(EXT, '_path_is_mode_type'), (pm) => call(pm, F(EXT, '_path_stat'))),
                    );
                  if (i === n - 1 && found) call(ff, F(EXT, 'spec_from_file_location'));
                });
              }
            });
          });
          call(fs_, F(BOOT, '__exit__'));
        });
        if (!found) return; // ModuleNotFoundError propagates: the frames return (exception exit)
        call(flu, F(BOOT, '_load_unlocked'), (lu) => {
          call(lu, F(BOOT, 'module_from_spec'), (ms) => {
            call(ms, F(EXT, 'create_module'));
            call(ms, F(BOOT, '_init_module_attrs'), (ia) => {
              call(ia, F(BOOT, 'parent'));
              call(ia, F(BOOT, 'has_location'));
              call(ia, F(BOOT, 'cached'), (c) =>
                call(c, F(EXT, '_get_cached'), (g) =>
                  call(g, F(EXT, 'cache_from_source'), (cs) => {
                    call(cs, F(EXT, '_path_split'));
                    call(cs, F(EXT, '_path_join'));
                  }),
                ),
              );
            });
          });
          call(lu, F(EXT, 'exec_module'), (em) => {
            call(em, F(EXT, 'get_code'), (gc) => {
              call(gc, F(EXT, 'cache_from_source'), (cs) => {
                call(cs, F(EXT, '_path_split'));
                call(cs, F(EXT, '_path_join'));
              });
              call(gc, F(EXT, 'path_stats'), (ps) => call(ps, F(EXT, '_path_stat')));
              call(gc, F(EXT, 'get_data'));
              call(gc, F(EXT, '_classify_pyc'));
              call(gc, F(EXT, '_validate_timestamp_pyc'));
              call(gc, F(EXT, '_compile_bytecode'));
            });
            call(em, F(BOOT, '_call_with_frames_removed'), (cw) => {
              call(cw, file.module, (mod) => {
                for (const d of deps) {
                  if (Array.isArray(d)) importModule(mod, d[0], d[1], d[2] !== false);
                  else call(mod, F(BOOT, '_handle_fromlist'));
                }
              });
            });
          });
        });
      });
      call(fl, F(BOOT, '__exit__'), (ex) => call(ex, F(BOOT, 'release')));
    });
    RAW(`\timport__find__load__done\t${name}\t${found ? 1 : 0}\n`);
  }

  const mainFile = fileOf(APP + 'main.py');
  const mainMod = tree.node(mainFile.module, null);
  E(mainMod);
  const f = fileOf;
  importModule(mainMod, f(PY + 'logging/__init__.py'), [
    [
      f(PY + 're/__init__.py'),
      [
        [f(PY + 'enum.py'), []],
        [f(PY + 're/_compiler.py'), [[f(PY + 're/_parser.py'), []]]],
        [f(PY + 'functools.py'), []],
      ],
    ],
    [
      f(PY + 'traceback.py'),
      [
        [f(PY + 'collections/__init__.py'), []],
        [f(PY + 'linecache.py'), []],
      ],
    ],
    [f(PY + 'weakref.py'), [[f(PY + '_weakrefset.py'), []]]],
    [f(PY + 'string.py'), []],
    [f(PY + 'threading.py'), []],
  ]);
  importModule(mainMod, f(PY + 'json/__init__.py'), [
    [f(PY + 'json/decoder.py'), [[f(PY + 'json/scanner.py'), []]]],
    [f(PY + 'json/encoder.py'), []],
  ]);
  importModule(mainMod, 'ujson', [], false);
  importModule(mainMod, f(PY + 'socketserver.py'), [
    [f(PY + 'selectors.py'), []],
    [f(PY + 'socket.py'), []],
  ]);
  importModule(mainMod, f(PY + 'concurrent/futures/thread.py'), [
    [f(PY + 'concurrent/futures/_base.py'), []],
    [f(PY + 'queue.py'), []],
    'fromlist',
  ]);
  importModule(mainMod, f(DIST + 'sqlalchemy/orm/session.py'), [
    [
      f(DIST + 'sqlalchemy/engine/base.py'),
      [
        [f(DIST + 'sqlalchemy/engine/default.py'), []],
        [f(DIST + 'sqlalchemy/sql/compiler.py'), [[f(DIST + 'sqlalchemy/sql/elements.py'), []]]],
      ],
    ],
    'fromlist',
  ]);
  importModule(mainMod, f(DIST + 'jinja2/environment.py'), [
    [f(DIST + 'jinja2/runtime.py'), [[f(DIST + 'markupsafe/__init__.py'), []]]],
    [f(DIST + 'jinja2/filters.py'), []],
  ]);
  for (const kind of ['config', 'db', 'models', 'handlers', 'views', 'api']) {
    for (const af of appFile(kind).slice(0, 2)) importModule(mainMod, af, ['fromlist']);
  }
  const mainFn = tree.child(mainMod, F(APP + 'main.py', 'main'));
  E(mainFn);
  call(mainFn, F(APP + 'main.py', 'parse_args'));
  call(mainFn, F(APP + 'main.py', 'configure_logging'));

  const SS = PY + 'socketserver.py';
  const serve = tree.child(mainFn, F(SS, 'serve_forever'));
  serve.loop = true;
  script.push(OP_ENTRY_LIVE, serve);
  // serve_forever loop body: selector round trip, then handle the request
  tree.child(serve, F(PY + 'selectors.py', '__enter__'), 1, 0);
  const sel = tree.child(serve, F(PY + 'selectors.py', 'select'), 1, 0);
  tree.child(sel, F(PY + 'selectors.py', '_key_from_fd'), 0.9, 0);
  const hrn = tree.child(serve, F(SS, '_handle_request_noblock'), 0.97, 0);
  const gr = tree.child(hrn, F(SS, 'get_request'), 1, 0);
  tree.child(gr, F(PY + 'socket.py', 'accept'), 1, 0);
  tree.child(hrn, F(SS, 'verify_request'), 1, 0);
  const pr = tree.child(hrn, F(SS, 'process_request'), 1, 0);
  tree.child(serve, F(SS, 'service_actions'), 1, 0);

  const mainScript = script.slice();
  let workerScript = null;
  let workerBase = null;
  if (format === 'pyflame') {
    // main thread hands the connection to the pool
    const sub = tree.child(pr, F(PY + 'concurrent/futures/thread.py', 'submit'), 1, 0);
    tree.child(sub, F(PY + 'concurrent/futures/_base.py', '__init__'), 1, 0);
    const put = tree.child(sub, F(PY + 'queue.py', 'put'), 1, 0);
    tree.child(put, F(PY + 'threading.py', '__enter__'), 1, 0);
    tree.child(put, F(PY + 'queue.py', '_put'), 1, 0);
    tree.child(put, F(PY + 'threading.py', 'notify'), 1, 0);
    tree.child(put, F(PY + 'threading.py', '__exit__'), 1, 0);
    tree.child(sub, F(PY + 'concurrent/futures/thread.py', '_adjust_thread_count'), 1, 0);
    // worker threads: threading.Thread._bootstrap -> ... -> concurrent.futures.thread._worker loop
    const TH = PY + 'threading.py';
    const b0 = tree.node(F(TH, '_bootstrap'), null);
    const b1 = tree.child(b0, F(TH, '_bootstrap_inner'));
    const b2 = tree.child(b1, F(TH, 'run'));
    const wk = tree.child(b2, F(PY + 'concurrent/futures/thread.py', '_worker'));
    wk.loop = true;
    const get = tree.child(wk, F(PY + 'queue.py', 'get'), 1, 0);
    tree.child(get, F(TH, '__enter__'), 1, 0);
    tree.child(get, F(PY + 'queue.py', '_qsize'), 1, 0);
    const wt = tree.child(get, F(TH, 'wait'), 0.6, 0);
    tree.child(wt, F(TH, '_release_save'), 1, 0);
    tree.child(wt, F(TH, '_acquire_restore'), 1, 0);
    tree.child(wt, F(TH, '_is_owned'), 1, 0);
    tree.child(get, F(PY + 'queue.py', '_get'), 1, 0);
    tree.child(get, F(TH, 'notify'), 1, 0);
    tree.child(get, F(TH, '__exit__'), 1, 0);
    const run = tree.child(wk, F(PY + 'concurrent/futures/thread.py', 'run'), 1, 0);
    const fin = tree.child(run, F(SS, 'finish_request'), 1, 0);
    const hi = tree.child(fin, F(SS, '__init__'), 1, 0);
    tree.child(hi, F(SS, 'setup'), 1, 0);
    buildDispatch(hi, F(SS, 'handle'), 16000);
    tree.child(hi, F(SS, 'finish'), 1, 0);
    const sd = tree.child(run, F(SS, 'shutdown_request'), 1, 0);
    const cr = tree.child(sd, F(SS, 'close_request'), 1, 0);
    const cl = tree.child(cr, F(PY + 'socket.py', 'close'), 1, 0);
    tree.child(cl, F(PY + 'socket.py', '_real_close'), 1, 0);
    const sr = tree.child(run, F(PY + 'concurrent/futures/_base.py', 'set_result'), 1, 0);
    tree.child(sr, F(PY + 'concurrent/futures/_base.py', '_invoke_callbacks'), 1, 0);
    workerScript = [OP_ENTRY, b0, OP_ENTRY, b1, OP_ENTRY, b2, OP_ENTRY_LIVE, wk];
    workerBase = b0;
  } else {
    // single-threaded server: the request is handled on the main thread
    const fin = tree.child(pr, F(SS, 'finish_request'), 1, 0);
    const hi = tree.child(fin, F(SS, '__init__'), 1, 0);
    tree.child(hi, F(SS, 'setup'), 1, 0);
    buildDispatch(hi, F(SS, 'handle'), 16000);
    tree.child(hi, F(SS, 'finish'), 1, 0);
    tree.child(pr, F(SS, 'shutdown_request'), 1, 0);
  }

  computeExpected(mainMod, 6000);
  if (workerBase) computeExpected(workerBase, 6000);
  tree.finalize();
  return { prog, tree, mainScript, workerScript };
}

// ----------------------------------------------------------------------------------------------
// walking

const BOOT_NS = 8812345678901;
const INC_TABLE_BITS = 12;
const INC_TABLE_SIZE = 1 << INC_TABLE_BITS;

function buildIncTables() {
  // classes 0..2: 200..20000 ns, log-uniform skewed towards short gaps by different amounts;
  // class 3 (the return of a blocking call: recv_into, wait, do_execute, ...): 20 us..2 ms;
  // class 4 (the server's selector.select waiting for the next connection): 1..12 ms
  const spec = [
    [200, 100, 2.2],
    [200, 100, 1.6],
    [200, 100, 1.1],
    [20000, 100, 1.3],
    [1000000, 12, 1.0],
  ];
  return spec.map(([lo, ratio, e]) => {
    const t = new Float64Array(INC_TABLE_SIZE);
    for (let i = 0; i < INC_TABLE_SIZE; i++) {
      const u = (i + 0.5) / INC_TABLE_SIZE;
      t[i] = Math.round(lo * Math.pow(ratio, Math.pow(u, e)));
    }
    return t;
  });
}

class ThreadState {
  constructor(idx, pid, tid, format, script, t0) {
    this.idx = idx;
    this.prefix = format === 'pyflame' ? `\t${pid}\t${tid}` : '';
    this.script = script;
    this.scriptPos = 0;
    this.nodes = new Array(MAX_DEPTH + 8);
    this.cidx = new Int32Array(MAX_DEPTH + 8);
    this.rem = new Int32Array(MAX_DEPTH + 8);
    this.sp = 0;
    this.t = t0;
    this.active = false;
    this.pending = null; // bytes of the next line after its timestamp
    this.gcPending = false;
    this.gcDoneAt = 0;
    this.gcCollected = 0;
    this.blockedNow = false;
    this.onScriptEnd = null;
    this.gcStart = [0, 1, 2].map((g) => latin1(`${this.prefix}\tgc__start\t${g}\n`));
  }
}

const latin1 = (s) => Buffer.from(s, 'latin1');

// ASCII decimal of a non-negative integer < 2^53 into buf at pos; returns the new pos
function writeUint(buf, pos, v) {
  if (v >= 1e8) {
    const hi = Math.floor(v / 1e8);
    let lo = v - hi * 1e8;
    pos = writeUint(buf, pos, hi);
    for (let i = pos + 7; i >= pos; i--) {
      const q = (lo / 10) | 0;
      buf[i] = 48 + lo - q * 10;
      lo = q;
    }
    return pos + 8;
  }
  let x = v | 0;
  let n = 1;
  for (let y = x; y >= 10; y = (y / 10) | 0) n++;
  for (let i = pos + n - 1; i >= pos; i--) {
    const q = (x / 10) | 0;
    buf[i] = 48 + x - q * 10;
    x = q;
  }
  return pos + n;
}

export function generate(opts) {
  const t0 = Date.now();
  const { prog, tree, mainScript, workerScript } = buildModel(opts.format, opts.seed);
  const rand = mulberry32((opts.seed ^ 0x5bd1e995) >>> 0); // walk stream, independent of the build
  const INC = buildIncTables();
  const pyflame = opts.format === 'pyflame';
  const gil = pyflame && opts.interleave === 'gil';
  const target = Math.round(opts.sizeMb * MiB);

  const PID = 48211;
  const threads = [new ThreadState(0, PID, 48211, opts.format, mainScript, BOOT_NS)];
  if (pyflame)
    for (const tid of [48213, 48214, 48216])
      threads.push(new ThreadState(threads.length, PID, tid, opts.format, workerScript, BOOT_NS));
  const NT = threads.length;
  threads[0].active = true;
  threads[0].onScriptEnd = (th) => {
    // the main thread has finished importing and starts the pool's workers
    for (let i = 1; i < NT; i++) {
      const w = threads[i];
      w.active = true;
      w.t = th.t + 35000 * i + ((rand() * 20000) | 0);
      w.pending = step(w, true);
    }
  };

  // per-thread line bytes of every node, made on first use
  for (const n of tree.nodes) {
    n.entB = null;
    n.retB = null;
  }
  function entBytes(node, ti) {
    if (node.entB === null) node.entB = new Array(NT).fill(null);
    return (node.entB[ti] = latin1(threads[ti].prefix + node.entry));
  }
  function retBytes(node, ti) {
    if (node.retB === null) node.retB = new Array(NT).fill(null);
    return (node.retB[ti] = node.rets.map((r) => latin1(threads[ti].prefix + r)));
  }
  // script RAW lines (import markers) as bytes per thread
  const rawCache = new Map();
  const rawBytes = (th, str) => {
    const k = th.idx + str;
    let b = rawCache.get(k);
    if (b === undefined) rawCache.set(k, (b = latin1(th.prefix + str)));
    return b;
  };

  const seen = new Uint8Array(tree.nodes.length);
  let distinct = 0;
  let maxDepth = 0;
  let finishing = false;
  const P_GC = pyflame ? 1 / 3000 : 0;
  const cnt = { entry: 0, ret: 0, gc: 0, imp: 0 };
  let micro = null; // onScriptEnd callback, run after the current event has been written

  function push(th, node, cidx) {
    const sp = th.sp++;
    th.nodes[sp] = node;
    th.cidx[sp] = cidx;
    th.rem[sp] = 0;
    if (seen[node.id] === 0) {
      seen[node.id] = 1;
      distinct++;
    }
    if (th.sp > maxDepth) maxDepth = th.sp;
    cnt.entry++;
    const e = node.entB;
    return e !== null && e[th.idx] !== null ? e[th.idx] : entBytes(node, th.idx);
  }

  function pop(th, node) {
    th.sp--;
    cnt.ret++;
    const rb = node.retB;
    const r = rb !== null && rb[th.idx] !== null ? rb[th.idx] : retBytes(node, th.idx);
    return r.length === 1 ? r[0] : r[(rand() * r.length) | 0];
  }

  // Advances th by one event: sets th.t to its timestamp and returns the line's bytes after the
  // timestamp, or null when the thread has nothing more to say.
  function step(th, first) {
    if (th.gcPending) {
      th.gcPending = false;
      th.t = th.gcDoneAt; // the collection ran from gc__start to here
      cnt.gc++;
      return latin1(`${th.prefix}\tgc__done\t${th.gcCollected}\n`);
    }
    const top = th.sp > 0 ? th.nodes[th.sp - 1] : null;
    if (!first) th.t += INC[top !== null ? top.costClass : 1][(rand() * INC_TABLE_SIZE) | 0];
    if (th.scriptPos < th.script.length) {
      const op = th.script[th.scriptPos];
      const arg = th.script[th.scriptPos + 1];
      th.scriptPos += 2;
      if (th.scriptPos >= th.script.length && th.onScriptEnd !== null) {
        micro = th.onScriptEnd;
        th.onScriptEnd = null;
      }
      if (op === OP_RAW) {
        cnt.imp++;
        return rawBytes(th, arg);
      }
      if (op === OP_RETURN) return pop(th, arg);
      // script-pushed frames return as soon as control comes back to them, except live ones
      return push(th, arg, op === OP_ENTRY_LIVE ? -1 : 0x3fffffff);
    }
    if (top === null) return null;
    if (!finishing && rand() < P_GC) {
      const r = rand();
      const gen = r < 0.88 ? 0 : r < 0.985 ? 1 : 2;
      const dur = gen === 0 ? 5000 + rand() * 55000 : gen === 1 ? 40000 + rand() * 360000 : 1e6 + rand() * 14e6;
      const u = rand();
      th.gcCollected = gen === 0 ? (u < 0.7 ? 0 : (u * 60) | 0) : gen === 1 ? (u * 400) | 0 : (u * u * 20000) | 0;
      th.gcPending = true;
      th.gcDoneAt = th.t + Math.round(dur);
      cnt.gc++;
      return th.gcStart[gen];
    }
    const sp = th.sp - 1;
    const node = top;
    if (!finishing && node.k > 0) {
      for (;;) {
        if (th.rem[sp] > 0) {
          th.rem[sp]--;
          const child = node.children[th.cidx[sp]];
          if (child.blocking) th.blockedNow = true;
          return push(th, child, -1);
        }
        let ci = th.cidx[sp];
        if (node.mode === ONE) {
          if (ci !== -1 && !node.loop) break;
          const u = rand();
          const cw = node.cumW;
          let j = 0;
          while (j < cw.length - 1 && cw[j] < u) j++;
          th.cidx[sp] = j;
          th.rem[sp] = 1;
          continue;
        }
        ci++;
        if (ci >= node.k) {
          if (!node.loop) break;
          ci = 0;
        }
        th.cidx[sp] = ci;
        const p = node.p[ci];
        if (p >= 1 || rand() < p) {
          let n = 1;
          const m = node.m[ci];
          if (m > 0) {
            const q = m / (1 + m);
            while (rand() < q) n++;
          }
          th.rem[sp] = n;
        }
      }
    }
    return pop(th, node);
  }

  function switchThread(from, now) {
    // --interleave gil: the thread whose next event is ready first gets the GIL; a thread that
    // became ready while another held the GIL resumes now. A blocked thread whose call returns
    // before anyone else is ready simply continues (the process was idle meanwhile).
    let best = null;
    for (let i = 0; i < NT; i++) {
      const x = threads[i];
      if (x !== from && x.active && x.pending !== null && (best === null || x.t < best.t)) best = x;
    }
    if (best === null || (from.pending !== null && from.t < best.t)) {
      if (from.pending === null) return null;
      sliceEnd = from.t + 5e6;
      return from;
    }
    if (best.t <= now) best.t = now + INC[1][(rand() * INC_TABLE_SIZE) | 0];
    sliceEnd = best.t + 5e6;
    return best;
  }

  // a fresh file: truncating a big old one in place costs time (and page-cache churn)
  try {
    if (fs.statSync(opts.out).isFile()) fs.unlinkSync(opts.out);
  } catch {}
  const fd = fs.openSync(opts.out, 'w');
  const CHUNK = 4 * MiB;
  const buf = Buffer.allocUnsafe(CHUNK + 65536);
  let pos = 0;
  let written = 0;
  let events = 0;
  if (pyflame) pos = buf.write('# pyflame-trace v1 clock=boot_ns\n', 0, 'latin1');

  const main = threads[0];
  main.pending = step(main, true);
  let cur = main;
  let sliceEnd = main.t + 5e6;
  let lastTs = main.t;

  for (;;) {
    let th = null;
    if (gil) {
      th = cur.pending !== null ? cur : switchThread(cur, lastTs);
      if (th === null) break;
      cur = th;
    } else {
      let bt = Infinity;
      for (let i = 0; i < NT; i++) {
        const x = threads[i];
        if (x.pending !== null && x.t < bt && x.active) {
          bt = x.t;
          th = x;
        }
      }
      if (th === null) break;
    }
    lastTs = th.t;
    pos = writeUint(buf, pos, lastTs);
    const line = th.pending;
    buf.set(line, pos);
    pos += line.length;
    events++;
    th.pending = step(th, false);
    if (micro !== null) {
      const cb = micro;
      micro = null;
      cb(th);
    }
    if (gil && !th.gcPending && (th.blockedNow || th.t >= sliceEnd || th.pending === null)) {
      const nx = switchThread(th, lastTs);
      if (nx !== null) cur = nx;
    }
    th.blockedNow = false;
    if (pos >= CHUNK) {
      fs.writeSync(fd, buf, 0, pos);
      written += pos;
      pos = 0;
    }
    if (!finishing && written + pos >= target && events >= opts.minEvents) finishing = true;
  }
  if (pos > 0) {
    fs.writeSync(fd, buf, 0, pos);
    written += pos;
  }
  fs.closeSync(fd);

  // sanity: every thread balanced
  for (const th of threads) if (th.sp !== 0) throw new Error(`internal: thread ${th.idx} ended at depth ${th.sp}`);

  const seconds = (Date.now() - t0) / 1000;
  return {
    generator: 'bench/generate-trace.mjs',
    generatorVersion: GENERATOR_VERSION,
    format: opts.format,
    seed: opts.seed,
    sizeMb: opts.sizeMb,
    minEvents: opts.minEvents,
    interleave: pyflame ? opts.interleave : null,
    out: opts.out,
    bytes: written,
    events,
    functionEntries: cnt.entry,
    functionReturns: cnt.ret,
    gcEvents: cnt.gc,
    importEvents: cnt.imp,
    threads: NT,
    distinctStacks: distinct,
    stacksInModel: tree.nodes.length,
    maxDepth,
    functions: prog.fns.filter((f) => f.name !== '<module>').length,
    files: prog.files.length,
    seconds,
  };
}

// ----------------------------------------------------------------------------------------------

const isMain = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  const opts = parseArgs(process.argv.slice(2));
  const st = generate(opts);
  if (!opts.quiet) {
    const mb = st.bytes / MiB;
    process.stderr.write(
      `generate-trace: wrote ${opts.out}: ${st.bytes} bytes (${mb.toFixed(1)} MiB), ${st.events} events ` +
        `(${st.functionEntries} entry, ${st.functionReturns} return, ${st.gcEvents} gc, ${st.importEvents} import), ` +
        `${st.threads} thread(s), ${st.distinctStacks} distinct stacks (max depth ${st.maxDepth}), ` +
        `${st.functions} functions in ${st.files} files, ${st.seconds.toFixed(2)} s (${(mb / st.seconds).toFixed(0)} MiB/s)\n`,
    );
  }
  if (opts.statsJson) fs.writeFileSync(opts.statsJson, JSON.stringify(st) + '\n');
}
