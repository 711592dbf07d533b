//! The awk evaluator: values (numbers, strings, and gawk's "strnum" input that looks numeric),
//! records and fields, patterns and actions, user functions, the built-in functions, and
//! output redirections, following POSIX awk and gawk 5 where POSIX leaves room.
//!
//! Everything outside the interpreter (reading files, writing them, running commands) goes
//! through [`Host`], which the `awk` command implements on the simulated kernel.

use super::parser::{Expr, GetSrc, Item, Pattern, Pos, Program, Redir, Stmt};
use crate::commands::cfmt::parse_spec;
use crate::commands::posix_regex::{Flavor, compile, normalize_escapes};
use regex::Regex;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::rc::Rc;

/// What the interpreter needs from the system.
pub trait Host {
    /// Read a whole file (`-` or `/dev/stdin`: standard input); `Err` is the errno text.
    fn read_file(&mut self, path: &str) -> Result<Vec<u8>, String>;
    /// Open a main-input operand to read it a piece at a time (by default: read it whole).
    fn open_input(&mut self, path: &str) -> Result<Input, String> {
        self.read_file(path).map(Input::Whole)
    }
    /// The next piece of a streamed input; empty at its end.
    fn read_input(&mut self, _handle: i32) -> Result<Vec<u8>, String> {
        Ok(Vec::new())
    }
    /// Close a streamed input.
    fn close_input(&mut self, _handle: i32) {}
    /// Write to standard output.
    fn stdout(&mut self, data: &[u8]) -> Result<(), String>;
    /// Write to a file, truncating it first unless `append`.
    fn write_file(&mut self, path: &str, data: &[u8], append: bool) -> Result<(), String>;
    /// Run `sh -c cmd`, with `input` on its standard input if given; with `capture`, return
    /// its standard output instead of letting it through. Returns the exit status.
    fn run(&mut self, cmd: &str, input: Option<&[u8]>, capture: bool) -> (i32, Vec<u8>);
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Num(f64),
    Str(String),
    /// Input data (fields, `getline`, `split`, `-v`): numeric when it looks like a number.
    StrNum(String),
    Uninit,
}

/// Whether `s` looks like a number as awk input does (blanks around a decimal float).
fn looks_numeric(s: &str) -> Option<f64> {
    let t = s.trim_matches([' ', '\t', '\n']);
    if t.is_empty() {
        return None;
    }
    let b = t.as_bytes();
    let mut i = 0;
    if b[0] == b'+' || b[0] == b'-' {
        i = 1;
    }
    let rest = &t[i..];
    if rest.eq_ignore_ascii_case("inf")
        || rest.eq_ignore_ascii_case("infinity")
        || rest.eq_ignore_ascii_case("nan")
    {
        return None;
    }
    if !rest.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return None;
    }
    t.parse().ok()
}

/// C's `strtod` on a prefix: the number at the start of `s` (0 if none).
pub fn strtod(s: &str) -> f64 {
    let t = s.trim_start_matches([' ', '\t', '\n', '\r', '\x0b', '\x0c']);
    let b = t.as_bytes();
    let mut end = 0;
    if end < b.len() && (b[end] == b'+' || b[end] == b'-') {
        end += 1;
    }
    let digits_start = end;
    while end < b.len() && b[end].is_ascii_digit() {
        end += 1;
    }
    if end < b.len() && b[end] == b'.' {
        end += 1;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
    }
    if end == digits_start || (end == digits_start + 1 && b[digits_start] == b'.') {
        return 0.0;
    }
    if end < b.len() && (b[end] == b'e' || b[end] == b'E') {
        let mut e = end + 1;
        if e < b.len() && (b[e] == b'+' || b[e] == b'-') {
            e += 1;
        }
        if e < b.len() && b[e].is_ascii_digit() {
            while e < b.len() && b[e].is_ascii_digit() {
                e += 1;
            }
            end = e;
        }
    }
    t[..end].parse().unwrap_or(0.0)
}

/// A number as a string: integers exactly, others through `fmt` (CONVFMT or OFMT).
pub fn num_to_str(n: f64, fmt: &str) -> String {
    if n.is_nan() {
        return if n.is_sign_negative() { "-nan" } else { "+nan" }.to_string();
    }
    if n.is_infinite() {
        return if n < 0.0 { "-inf" } else { "+inf" }.to_string();
    }
    // gawk prints an integral value as the exact integer the double holds, however large.
    if n.fract() == 0.0 {
        if n.abs() < 1e38 {
            return format!("{}", n as i128);
        }
        if let Some(b) = <num_bigint::BigInt as num_traits::FromPrimitive>::from_f64(n) {
            return b.to_string();
        }
    }
    sprintf(fmt, &[Value::Num(n)], "%.6g").unwrap_or_default()
}

impl Value {
    pub fn num(&self) -> f64 {
        match self {
            Value::Num(n) => *n,
            Value::Str(s) | Value::StrNum(s) => strtod(s),
            Value::Uninit => 0.0,
        }
    }

    pub fn str_with(&self, convfmt: &str) -> String {
        match self {
            Value::Num(n) => num_to_str(*n, convfmt),
            Value::Str(s) | Value::StrNum(s) => s.clone(),
            Value::Uninit => String::new(),
        }
    }

    /// Numeric for comparisons: a number, uninitialized, or input that looks numeric.
    fn numeric(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            Value::Uninit => Some(0.0),
            Value::StrNum(s) => looks_numeric(s),
            Value::Str(_) => None,
        }
    }

    pub fn truthy(&self) -> bool {
        match self {
            Value::Num(n) => *n != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::StrNum(s) => match looks_numeric(s) {
                Some(n) => n != 0.0,
                None => !s.is_empty(),
            },
            Value::Uninit => false,
        }
    }
}

type Array = Rc<RefCell<BTreeMap<String, Value>>>;

#[derive(Clone, Debug)]
enum Var {
    Scalar(Value),
    Array(Array),
}

/// How a statement ended.
enum Flow {
    Normal,
    Next,
    NextFile,
    Exit,
    Return(Value),
    Break,
    Continue,
}

/// Marks a fatal message gawk prints without the program location (`awk: fatal: ...`).
pub const NO_LOCATION: char = '\u{1}';

/// A fatal runtime error (gawk's `fatal:` messages).
#[derive(Debug)]
pub struct Fatal(pub String);

type R<X> = Result<X, Fatal>;

/// How many statements and function calls an awk program may run before cgsim stops it
/// (the shell cannot be interrupted, so an endless loop must end somewhere).
const STEP_LIMIT: u64 = 50_000_000;
const CALL_DEPTH: usize = 200;
/// The most fields an assignment may create (`$1000000000 = 1` would fill the host's memory).
const MAX_FIELDS: usize = 1 << 20;

/// An input source: the records of one main-input operand or of one `getline < FILE` file.
struct Source {
    /// Complete records not read yet.
    records: VecDeque<String>,
    /// The file read a buffer at a time: what is left of it.
    stream: Option<Stream>,
}

/// A file being read a piece at a time, as gawk's `get_a_record` does: a record is handed out
/// as soon as its separator has been read, so `yes | awk 'NR==3{exit}'` ends, and so does
/// `yes | awk 'BEGIN{RS="y\n+"} NR==3{exit}'`.
struct Stream {
    name: String,
    handle: i32,
    /// The separator, as `RS` was when the file was opened.
    sep: Sep,
    /// The bytes read after the last separator.
    partial: Vec<u8>,
    /// Paragraph mode: a byte other than a newline has been read (the newlines before the
    /// first record are not a separator, gawk's `rsnullscan` skips them).
    started: bool,
}

/// How a [`Stream`]'s records end.
enum Sep {
    /// One character of `RS` (the usual newline).
    Bytes(Vec<u8>),
    /// A regular-expression `RS` (gawk: more than one character), or paragraph mode (`RS=""`:
    /// a run of two or more newlines).
    Regex(Regex),
}

impl Stream {
    /// Move the complete records of `partial` to `out`; at the end of the file (`eof`), what
    /// is left too. A regular-expression match that reaches the end of what has been read is
    /// not final (more input may extend it), as gawk's `rsrescan` asks for more data then.
    fn take_records(&mut self, out: &mut VecDeque<String>, eof: bool, paragraph: bool) {
        if paragraph && !self.started {
            let lead = self.partial.iter().take_while(|&&b| b == b'\n').count();
            self.partial.drain(..lead);
            self.started = !self.partial.is_empty();
        }
        let mut at = 0;
        match &self.sep {
            Sep::Bytes(sep) => {
                let n = sep.len();
                let mut i = 0;
                while i + n <= self.partial.len() {
                    if self.partial[i..i + n] == sep[..] {
                        out.push_back(String::from_utf8_lossy(&self.partial[at..i]).into_owned());
                        i += n;
                        at = i;
                    } else {
                        i += 1;
                    }
                }
            }
            Sep::Regex(re) => {
                // The valid UTF-8 prefix: a character cut by the buffer's end waits for the
                // rest of its bytes.
                let valid = match std::str::from_utf8(&self.partial) {
                    Ok(s) => s.len(),
                    Err(e) if e.error_len().is_none() && !eof => e.valid_up_to(),
                    Err(_) => self.partial.len(),
                };
                let text = String::from_utf8_lossy(&self.partial[..valid]).into_owned();
                for m in re.find_iter(&text) {
                    if m.start() == m.end() {
                        continue;
                    }
                    if m.end() == text.len() && !eof {
                        break;
                    }
                    out.push_back(text[at..m.start()].to_string());
                    at = m.end();
                }
                // Byte offsets of the lossy text are those of the bytes when they are valid
                // UTF-8; otherwise keep what is left as text.
                if text.len() != valid {
                    let rest = text.as_bytes()[at..].to_vec();
                    self.partial = rest;
                    at = 0;
                }
            }
        }
        self.partial.drain(..at);
        if eof {
            let mut last = std::mem::take(&mut self.partial);
            if paragraph {
                while last.last() == Some(&b'\n') {
                    last.pop();
                }
            }
            if !last.is_empty() {
                out.push_back(String::from_utf8_lossy(&last).into_owned());
            }
        }
    }
}

/// An input opened by [`Host::open_input`].
pub enum Input {
    /// The whole contents, read at once.
    Whole(Vec<u8>),
    /// A handle for [`Host::read_input`] and [`Host::close_input`].
    Streamed(i32),
}

pub struct Interp<'p, H: Host> {
    prog: &'p Program,
    pub host: H,
    /// The statement (or pattern) running: where a fatal error happened.
    pub pos: Pos,
    globals: HashMap<String, Var>,
    frames: Vec<HashMap<String, Var>>,
    record: String,
    fields: Vec<String>,
    fields_valid: bool,
    range_active: Vec<bool>,
    out: Vec<u8>,
    opened: BTreeMap<String, bool>,
    pipes: BTreeMap<String, Vec<u8>>,
    /// `getline < FILE` sources, and whether each was opened in paragraph mode.
    getline_files: BTreeMap<String, (Source, bool)>,
    /// The main-input operand was opened in paragraph mode (`RS=""`).
    paragraph_stream: bool,
    cmd_inputs: BTreeMap<String, (Vec<String>, usize)>,
    regexes: HashMap<String, Regex>,
    /// The last ARGV index opened, and the current source.
    next_operand: usize,
    used_file: bool,
    source: Option<Source>,
    pub exit_code: i32,
    steps: u64,
    seed: f64,
    rand_state: u64,
    /// A file operand that could not be read: gawk goes on with a warning, status 2.
    pub input_error: bool,
    pub warnings: Vec<String>,
    /// `exit` ran inside a function: unwind to the rule.
    exiting: bool,
}

fn empty_array() -> Array {
    Rc::new(RefCell::new(BTreeMap::new()))
}

impl<'p, H: Host> Interp<'p, H> {
    pub fn new(prog: &'p Program, host: H, operands: Vec<String>) -> Self {
        let mut it = Interp {
            prog,
            host,
            globals: HashMap::new(),
            frames: Vec::new(),
            record: String::new(),
            fields: Vec::new(),
            fields_valid: true,
            range_active: vec![false; prog.items.len()],
            out: Vec::new(),
            opened: BTreeMap::new(),
            pipes: BTreeMap::new(),
            getline_files: BTreeMap::new(),
            paragraph_stream: false,
            cmd_inputs: BTreeMap::new(),
            regexes: HashMap::new(),
            next_operand: 0,
            used_file: false,
            source: None,
            exit_code: 0,
            steps: 0,
            pos: Pos::default(),
            seed: 0.0,
            rand_state: 0,
            input_error: false,
            warnings: Vec::new(),
            exiting: false,
        };
        for (k, v) in [
            ("FS", " "),
            ("OFS", " "),
            ("ORS", "\n"),
            ("RS", "\n"),
            ("SUBSEP", "\x1c"),
            ("CONVFMT", "%.6g"),
            ("OFMT", "%.6g"),
            ("FILENAME", ""),
        ] {
            it.set_global(k, Value::Str(v.to_string()));
        }
        for k in ["NR", "FNR", "RSTART", "RLENGTH"] {
            it.set_global(k, Value::Num(0.0));
        }
        it.set_global("RLENGTH", Value::Num(-1.0));
        let argv = empty_array();
        argv.borrow_mut()
            .insert("0".into(), Value::Str("awk".into()));
        for (i, a) in operands.iter().enumerate() {
            argv.borrow_mut()
                .insert((i + 1).to_string(), Value::StrNum(a.clone()));
        }
        it.globals.insert("ARGV".into(), Var::Array(argv));
        it.set_global("ARGC", Value::Num(operands.len() as f64 + 1.0));
        it
    }

    pub fn set_environ(&mut self, env: &[(String, String)]) {
        let a = empty_array();
        for (k, v) in env {
            a.borrow_mut().insert(k.clone(), Value::StrNum(v.clone()));
        }
        self.globals.insert("ENVIRON".into(), Var::Array(a));
    }

    pub fn set_global(&mut self, name: &str, v: Value) {
        self.globals.insert(name.to_string(), Var::Scalar(v));
    }

    /// gawk's `(FILENAME=F FNR=N) ` before a fatal message once input has been read
    /// (`-` for standard input).
    pub fn input_context(&self) -> String {
        let fnr = match self.globals.get("FNR") {
            Some(Var::Scalar(v)) => v.num(),
            _ => 0.0,
        };
        if fnr <= 0.0 {
            return String::new();
        }
        let f = self.gs("FILENAME");
        let f = if f.is_empty() { "-".to_string() } else { f };
        format!("(FILENAME={f} FNR={fnr}) ")
    }

    fn gs(&self, name: &str) -> String {
        match self.globals.get(name) {
            Some(Var::Scalar(v)) => v.str_with("%.6g"),
            _ => String::new(),
        }
    }

    fn convfmt(&self) -> String {
        self.gs("CONVFMT")
    }

    fn tostr(&self, v: &Value) -> String {
        match v {
            Value::Num(n) => num_to_str(*n, &self.convfmt()),
            other => other.str_with("%.6g"),
        }
    }

    fn step(&mut self) -> R<()> {
        self.steps += 1;
        if self.steps > STEP_LIMIT {
            return Err(Fatal(format!(
                "cgsim stops awk programs after {STEP_LIMIT} steps (a real awk would run on)"
            )));
        }
        Ok(())
    }

    // ---- running ------------------------------------------------------------------------

    /// Run BEGIN, the main loop and END; returns the exit status.
    pub fn run(&mut self) -> R<i32> {
        let mut exiting = false;
        for item in &self.prog.items {
            if item.pattern == Pattern::Begin {
                let body = item.action.as_deref().unwrap_or(&[]);
                if let Flow::Exit = self.exec_block(body)? {
                    exiting = true;
                    break;
                }
            }
        }
        let has_main = self
            .prog
            .items
            .iter()
            .any(|it| !matches!(it.pattern, Pattern::Begin));
        if !exiting && has_main {
            'records: while let Some(rec) = self.next_record()? {
                self.set_record(rec);
                for (i, item) in self.prog.items.iter().enumerate() {
                    if !self.pattern_matches(i, item)? {
                        continue;
                    }
                    let flow = match &item.action {
                        Some(body) => self.exec_block(body)?,
                        None => {
                            let line = format!("{}{}", self.record, self.gs("ORS"));
                            self.emit(line.as_bytes())?;
                            Flow::Normal
                        }
                    };
                    match flow {
                        Flow::Next => continue 'records,
                        Flow::NextFile => {
                            self.close_source();
                            continue 'records;
                        }
                        Flow::Exit => break 'records,
                        _ => {}
                    }
                }
            }
        }
        // END runs after exit in BEGIN or in the main loop; exit in END stops at once.
        self.exiting = false;
        for item in &self.prog.items {
            if item.pattern == Pattern::End {
                let body = item.action.as_deref().unwrap_or(&[]);
                if let Flow::Exit = self.exec_block(body)? {
                    break;
                }
            }
        }
        self.finish()?;
        Ok(self.exit_code)
    }

    /// Flush standard output, then close the output pipes (their commands run now).
    pub fn finish(&mut self) -> R<()> {
        self.flush()?;
        let pipes = std::mem::take(&mut self.pipes);
        for (cmd, data) in pipes {
            self.host.run(&cmd, Some(&data), false);
        }
        Ok(())
    }

    fn flush(&mut self) -> R<()> {
        if !self.out.is_empty() {
            let data = std::mem::take(&mut self.out);
            self.host
                .stdout(&data)
                .map_err(|e| Fatal(format!("print to \"standard output\" failed ({e})")))?;
        }
        Ok(())
    }

    fn emit(&mut self, data: &[u8]) -> R<()> {
        self.out.extend_from_slice(data);
        if self.out.len() > 1 << 16 {
            self.flush()?;
        }
        Ok(())
    }

    fn pattern_matches(&mut self, i: usize, item: &Item) -> R<bool> {
        self.pos = item.pos;
        match &item.pattern {
            Pattern::Begin | Pattern::End => Ok(false),
            Pattern::All => Ok(true),
            Pattern::Expr(e) => Ok(self.cond(e)?),
            Pattern::Range(a, b) => {
                if self.range_active[i] {
                    if self.cond(b)? {
                        self.range_active[i] = false;
                    }
                    Ok(true)
                } else if self.cond(a)? {
                    self.range_active[i] = !self.cond(b)?;
                    Ok(true)
                } else {
                    Ok(false)
                }
            }
        }
    }

    fn cond(&mut self, e: &Expr) -> R<bool> {
        Ok(self.eval(e)?.truthy())
    }

    // ---- input --------------------------------------------------------------------------

    fn split_records(&self, data: &[u8]) -> R<Vec<String>> {
        let text = String::from_utf8_lossy(data).into_owned();
        let rs = self.gs("RS");
        let mut recs: Vec<String> = if rs == "\n" || rs.chars().count() == 1 {
            let sep = rs.chars().next().unwrap_or('\n');
            let body = text.strip_suffix(sep).unwrap_or(&text);
            if text.is_empty() {
                Vec::new()
            } else {
                body.split(sep).map(str::to_string).collect()
            }
        } else if rs.is_empty() {
            let t = text.trim_start_matches('\n').trim_end_matches('\n');
            if t.is_empty() {
                Vec::new()
            } else {
                let re = Regex::new("\n\n+").map_err(|e| Fatal(e.to_string()))?;
                re.split(t).map(str::to_string).collect()
            }
        } else {
            let re = compile(&rs, Flavor::Extended, false).map_err(Fatal)?;
            let mut v: Vec<String> = re.split(&text).map(str::to_string).collect();
            if v.last().is_some_and(String::is_empty) {
                v.pop();
            }
            v
        };
        if text.is_empty() {
            recs.clear();
        }
        Ok(recs)
    }

    /// The next main-input record (opening operands as needed; `var=value` operands are
    /// assignments made when reached).
    fn next_record(&mut self) -> R<Option<String>> {
        loop {
            if let Some(src) = &mut self.source {
                if let Some(r) = src.records.pop_front() {
                    self.bump("NR");
                    self.bump("FNR");
                    return Ok(Some(r));
                }
                if let Some(st) = &mut src.stream {
                    let piece = match self.host.read_input(st.handle) {
                        Ok(p) => p,
                        Err(e) => {
                            let name = st.name.clone();
                            self.close_source();
                            return Err(Fatal(format!(
                                "{NO_LOCATION}error reading input file `{name}': {e}"
                            )));
                        }
                    };
                    let paragraph = self.paragraph_stream;
                    if piece.is_empty() {
                        // The end: a last record without a separator still counts.
                        let mut last = VecDeque::new();
                        st.take_records(&mut last, true, paragraph);
                        self.close_source();
                        if !last.is_empty() {
                            self.source = Some(Source {
                                records: last,
                                stream: None,
                            });
                        }
                        continue;
                    }
                    st.partial.extend_from_slice(&piece);
                    st.take_records(&mut src.records, false, paragraph);
                    continue;
                }
                self.source = None;
            }
            // ARGV may have been changed by the program.
            let argc = self.get_var("ARGC").num() as usize;
            let name = loop {
                if self.next_operand + 1 >= argc.max(1) {
                    if self.used_file {
                        return Ok(None);
                    }
                    self.used_file = true;
                    break "-".to_string();
                }
                self.next_operand += 1;
                let key = self.next_operand.to_string();
                let v = match self.globals.get("ARGV") {
                    Some(Var::Array(a)) => a.borrow().get(&key).cloned(),
                    _ => None,
                };
                let Some(v) = v else { continue };
                let a = self.tostr(&v);
                if a.is_empty() {
                    continue;
                }
                if let Some((k, val)) = a.split_once('=')
                    && super::is_name(k)
                {
                    self.set_global(k, Value::StrNum(super::unescape(val)));
                    continue;
                }
                self.used_file = true;
                break a;
            };
            // The operand is read a buffer at a time, whatever RS is.
            self.paragraph_stream = self.gs("RS").is_empty();
            let (records, stream) = match self.open_source(&name)? {
                Ok(s) => (s.records, s.stream),
                Err(e) => {
                    // gawk gives up on an input file it cannot open (a fatal error without
                    // a source location).
                    return Err(Fatal(format!(
                        "{NO_LOCATION}cannot open file `{name}' for reading: {e}"
                    )));
                }
            };
            self.set_global(
                "FILENAME",
                Value::Str(if name == "-" {
                    String::new()
                } else {
                    name.clone()
                }),
            );
            self.set_global("FNR", Value::Num(0.0));
            self.source = Some(Source { records, stream });
        }
    }

    /// Open `name` to read its records with the current `RS`: a buffer at a time when the
    /// host streams it. The inner `Err` is the errno text of a file that cannot be opened.
    fn open_source(&mut self, name: &str) -> R<Result<Source, String>> {
        let rs = self.gs("RS");
        let sep = if rs.chars().count() == 1 {
            Sep::Bytes(rs.into_bytes())
        } else if rs.is_empty() {
            Sep::Regex(Regex::new("\n\n+").map_err(|e| Fatal(e.to_string()))?)
        } else {
            Sep::Regex(compile(&rs, Flavor::Extended, false).map_err(Fatal)?)
        };
        Ok(match self.host.open_input(name) {
            Ok(Input::Whole(d)) => Ok(Source {
                records: self.split_records(&d)?.into(),
                stream: None,
            }),
            Ok(Input::Streamed(handle)) => Ok(Source {
                records: VecDeque::new(),
                stream: Some(Stream {
                    name: name.to_string(),
                    handle,
                    sep,
                    partial: Vec::new(),
                    started: false,
                }),
            }),
            Err(e) => Err(e),
        })
    }

    /// The next record of a `getline < FILE` source: `Ok(None)` at its end, `Err` for a read
    /// error (getline returns -1).
    fn pull(&mut self, src: &mut Source, paragraph: bool) -> Result<Option<String>, ()> {
        loop {
            if let Some(r) = src.records.pop_front() {
                return Ok(Some(r));
            }
            let Some(st) = &mut src.stream else {
                return Ok(None);
            };
            let piece = self.host.read_input(st.handle).map_err(|_| ())?;
            if piece.is_empty() {
                st.take_records(&mut src.records, true, paragraph);
                self.host.close_input(st.handle);
                src.stream = None;
                continue;
            }
            st.partial.extend_from_slice(&piece);
            st.take_records(&mut src.records, false, paragraph);
        }
    }

    /// Stop reading the current operand (its end, `nextfile`, a read error).
    fn close_source(&mut self) {
        if let Some(Source {
            stream: Some(st), ..
        }) = self.source.take()
        {
            self.host.close_input(st.handle);
        }
    }

    fn bump(&mut self, name: &str) {
        let n = self.get_var(name).num() + 1.0;
        self.set_global(name, Value::Num(n));
    }

    fn set_record(&mut self, r: String) {
        self.record = r;
        self.fields_valid = false;
    }

    fn ensure_fields(&mut self) -> R<()> {
        if !self.fields_valid {
            let fs = self.gs("FS");
            let paragraph = self.gs("RS").is_empty();
            self.fields = self.split_with(&self.record.clone(), &fs, paragraph)?;
            self.fields_valid = true;
        }
        Ok(())
    }

    /// Field splitting: `" "` splits on runs of blanks and newlines (trimmed); another single
    /// character splits on itself; a longer FS is an extended regex; `""` splits characters.
    fn split_with(&mut self, s: &str, fs: &str, paragraph: bool) -> R<Vec<String>> {
        if s.is_empty() {
            return Ok(Vec::new());
        }
        if fs == " " {
            return Ok(s
                .split([' ', '\t', '\n'])
                .filter(|x| !x.is_empty())
                .map(str::to_string)
                .collect());
        }
        if fs.is_empty() {
            return Ok(s.chars().map(|c| c.to_string()).collect());
        }
        let parts: Vec<String> = if fs.chars().count() == 1 && fs != "\\" {
            let c = fs.chars().next().unwrap_or(' ');
            if paragraph {
                s.split([c, '\n']).map(str::to_string).collect()
            } else {
                s.split(c).map(str::to_string).collect()
            }
        } else {
            let pat = if paragraph {
                format!("({fs})|\n")
            } else {
                fs.to_string()
            };
            let re = self.regex(&pat)?;
            re.split(s).map(str::to_string).collect()
        };
        Ok(parts)
    }

    fn regex(&mut self, pat: &str) -> R<Regex> {
        if let Some(r) = self.regexes.get(pat) {
            return Ok(r.clone());
        }
        let r = compile(&normalize_escapes(pat), Flavor::Extended, false)
            .map_err(|m| Fatal(format!("invalid regexp: {m}: /{pat}/")))?;
        self.regexes.insert(pat.to_string(), r.clone());
        Ok(r)
    }

    fn rebuild_record(&mut self) {
        let ofs = self.gs("OFS");
        self.record = self.fields.join(&ofs);
    }

    fn get_field(&mut self, i: usize) -> R<Value> {
        if i == 0 {
            return Ok(Value::StrNum(self.record.clone()));
        }
        self.ensure_fields()?;
        Ok(match self.fields.get(i - 1) {
            Some(f) => Value::StrNum(f.clone()),
            None => Value::Uninit,
        })
    }

    fn set_field(&mut self, i: usize, v: String) -> R<()> {
        if i > MAX_FIELDS {
            return Err(Fatal(format!(
                "cgsim limits records to {MAX_FIELDS} fields"
            )));
        }
        if i == 0 {
            self.set_record(v);
            return Ok(());
        }
        self.ensure_fields()?;
        if self.fields.len() < i {
            self.fields.resize(i, String::new());
        }
        self.fields[i - 1] = v;
        self.rebuild_record();
        Ok(())
    }

    // ---- variables ----------------------------------------------------------------------

    fn lookup(&self, name: &str) -> Option<&Var> {
        if let Some(f) = self.frames.last()
            && let Some(v) = f.get(name)
        {
            return Some(v);
        }
        self.globals.get(name)
    }

    fn get_var(&mut self, name: &str) -> Value {
        if name == "NF" {
            let _ = self.ensure_fields();
            return Value::Num(self.fields.len() as f64);
        }
        match self.lookup(name) {
            Some(Var::Scalar(v)) => v.clone(),
            _ => Value::Uninit,
        }
    }

    fn set_var(&mut self, name: &str, v: Value) -> R<()> {
        if name == "NF" {
            self.ensure_fields()?;
            let n = v.num().max(0.0) as usize;
            if n > MAX_FIELDS {
                return Err(Fatal(format!(
                    "cgsim limits records to {MAX_FIELDS} fields"
                )));
            }
            self.fields.resize(n, String::new());
            self.rebuild_record();
            return Ok(());
        }
        if let Some(f) = self.frames.last_mut()
            && let Some(slot) = f.get_mut(name)
        {
            if let Var::Array(_) = slot {
                return Err(Fatal(format!(
                    "attempt to use array `{name}' in a scalar context"
                )));
            }
            *slot = Var::Scalar(v);
            return Ok(());
        }
        if let Some(Var::Array(_)) = self.globals.get(name) {
            return Err(Fatal(format!(
                "attempt to use array `{name}' in a scalar context"
            )));
        }
        self.globals.insert(name.to_string(), Var::Scalar(v));
        Ok(())
    }

    fn array(&mut self, name: &str) -> R<Array> {
        if let Some(f) = self.frames.last_mut()
            && let Some(slot) = f.get_mut(name)
        {
            return match slot {
                Var::Array(a) => Ok(a.clone()),
                Var::Scalar(Value::Uninit) => {
                    let a = empty_array();
                    *slot = Var::Array(a.clone());
                    Ok(a)
                }
                Var::Scalar(_) => Err(Fatal(format!("attempt to use scalar `{name}' as an array"))),
            };
        }
        match self.globals.get(name) {
            Some(Var::Array(a)) => Ok(a.clone()),
            Some(Var::Scalar(Value::Uninit)) | None => {
                let a = empty_array();
                self.globals.insert(name.to_string(), Var::Array(a.clone()));
                Ok(a)
            }
            Some(Var::Scalar(_)) => {
                Err(Fatal(format!("attempt to use scalar `{name}' as an array")))
            }
        }
    }

    fn subscript(&mut self, idx: &[Expr]) -> R<String> {
        let mut parts = Vec::new();
        for e in idx {
            let v = self.eval(e)?;
            parts.push(self.tostr(&v));
        }
        Ok(parts.join(&self.gs("SUBSEP")))
    }

    fn assign(&mut self, lv: &Expr, v: Value) -> R<()> {
        match lv {
            Expr::Var(n) => self.set_var(n, v),
            Expr::Field(e) => {
                let i = self.eval(e)?.num();
                if i < 0.0 {
                    return Err(Fatal(format!("attempt to access field {}", i as i64)));
                }
                let s = match &v {
                    Value::Num(n) => num_to_str(*n, &self.convfmt()),
                    other => other.str_with("%.6g"),
                };
                self.set_field(i as usize, s)
            }
            Expr::Index(n, idx) => {
                let k = self.subscript(idx)?;
                let a = self.array(n)?;
                a.borrow_mut().insert(k, v);
                Ok(())
            }
            _ => Err(Fatal(
                "assignment to something that is not a variable".into(),
            )),
        }
    }

    // ---- statements ---------------------------------------------------------------------

    fn exec_block(&mut self, body: &[Stmt]) -> R<Flow> {
        for s in body {
            let f = self.exec(s)?;
            if self.exiting {
                return Ok(Flow::Exit);
            }
            if !matches!(f, Flow::Normal) {
                return Ok(f);
            }
        }
        Ok(Flow::Normal)
    }

    fn exec(&mut self, s: &Stmt) -> R<Flow> {
        self.step()?;
        if self.exiting {
            return Ok(Flow::Exit);
        }
        match s {
            Stmt::Expr(e) => {
                self.eval(e)?;
            }
            Stmt::Print(args, redir) => {
                let text = if args.is_empty() {
                    self.record.clone()
                } else {
                    let ofmt = self.gs("OFMT");
                    let mut parts = Vec::new();
                    for a in args {
                        let v = self.eval(a)?;
                        parts.push(match v {
                            Value::Num(n) => num_to_str(n, &ofmt),
                            other => other.str_with("%.6g"),
                        });
                    }
                    parts.join(&self.gs("OFS"))
                };
                let line = format!("{text}{}", self.gs("ORS"));
                self.output(redir, line.as_bytes())?;
            }
            Stmt::Printf(args, redir) => {
                let mut vals = Vec::new();
                for a in args {
                    vals.push(self.eval(a)?);
                }
                let fmt = self.tostr(&vals[0]);
                let text = sprintf(&fmt, &vals[1..], &self.convfmt()).map_err(Fatal)?;
                self.output(redir, text.as_bytes())?;
            }
            Stmt::If(c, a, b) => {
                if self.cond(c)? {
                    return self.exec(a);
                } else if let Some(b) = b {
                    return self.exec(b);
                }
            }
            Stmt::While(c, body) => {
                while self.cond(c)? {
                    self.step()?;
                    let f = self.exec(body)?;
                    if self.exiting {
                        return Ok(Flow::Exit);
                    }
                    match f {
                        Flow::Break => break,
                        Flow::Normal | Flow::Continue => {}
                        f => return Ok(f),
                    }
                }
            }
            Stmt::Do(body, c) => loop {
                self.step()?;
                let f = self.exec(body)?;
                if self.exiting {
                    return Ok(Flow::Exit);
                }
                match f {
                    Flow::Break => break,
                    Flow::Normal | Flow::Continue => {}
                    f => return Ok(f),
                }
                if !self.cond(c)? {
                    break;
                }
            },
            Stmt::For(init, c, incr, body) => {
                if let Some(i) = init {
                    self.exec(i)?;
                }
                loop {
                    self.step()?;
                    if let Some(c) = c
                        && !self.cond(c)?
                    {
                        break;
                    }
                    let f = self.exec(body)?;
                    if self.exiting {
                        return Ok(Flow::Exit);
                    }
                    match f {
                        Flow::Break => break,
                        Flow::Normal | Flow::Continue => {}
                        f => return Ok(f),
                    }
                    if let Some(i) = incr {
                        self.exec(i)?;
                    }
                }
            }
            Stmt::ForIn(var, arr, body) => {
                let a = self.array(arr)?;
                // Integer subscripts in numeric order, then the others in string order: what
                // gawk shows for the arrays scripts build (`split`, counters by name).
                let mut keys: Vec<String> = a.borrow().keys().cloned().collect();
                keys.sort_by_cached_key(|k| match k.parse::<i64>() {
                    Ok(n) if n.to_string() == *k => (0, n, String::new()),
                    _ => (1, 0, k.clone()),
                });
                for k in keys {
                    if !a.borrow().contains_key(&k) {
                        continue;
                    }
                    self.set_var(var, Value::StrNum(k))?;
                    let f = self.exec(body)?;
                    if self.exiting {
                        return Ok(Flow::Exit);
                    }
                    match f {
                        Flow::Break => break,
                        Flow::Normal | Flow::Continue => {}
                        f => return Ok(f),
                    }
                }
            }
            Stmt::Block(b) => return self.exec_block(b),
            Stmt::At(pos, s) => {
                self.pos = *pos;
                return self.exec(s);
            }
            Stmt::Next => return Ok(Flow::Next),
            Stmt::NextFile => return Ok(Flow::NextFile),
            Stmt::Break => return Ok(Flow::Break),
            Stmt::Continue => return Ok(Flow::Continue),
            Stmt::Exit(e) => {
                if let Some(e) = e {
                    self.exit_code = self.eval(e)?.num() as i32 & 0xff;
                }
                return Ok(Flow::Exit);
            }
            Stmt::Return(e) => {
                let v = match e {
                    Some(e) => self.eval(e)?,
                    None => Value::Uninit,
                };
                return Ok(Flow::Return(v));
            }
            Stmt::Delete(name, idx) => {
                let a = self.array(name)?;
                match idx {
                    Some(idx) => {
                        let k = self.subscript(idx)?;
                        a.borrow_mut().remove(&k);
                    }
                    None => a.borrow_mut().clear(),
                }
            }
        }
        Ok(Flow::Normal)
    }

    fn output(&mut self, redir: &Option<Redir>, data: &[u8]) -> R<()> {
        match redir {
            None => self.emit(data),
            Some(Redir::File(e) | Redir::Append(e)) => {
                let v = self.eval(e)?;
                let name = self.tostr(&v);
                if name == "/dev/stdout" || name == "-" {
                    return self.emit(data);
                }
                if name == "/dev/stderr" {
                    self.flush()?;
                }
                let append =
                    matches!(redir, Some(Redir::Append(_))) || self.opened.contains_key(&name);
                self.opened.insert(name.clone(), true);
                self.host
                    .write_file(&name, data, append)
                    .map_err(|e| Fatal(format!("can't redirect to `{name}' ({e})")))
            }
            Some(Redir::Pipe(e)) => {
                let v = self.eval(e)?;
                let cmd = self.tostr(&v);
                self.pipes.entry(cmd).or_default().extend_from_slice(data);
                Ok(())
            }
        }
    }

    // ---- expressions --------------------------------------------------------------------

    fn eval(&mut self, e: &Expr) -> R<Value> {
        Ok(match e {
            Expr::Num(n) => Value::Num(*n),
            Expr::Str(s) => Value::Str(s.clone()),
            Expr::Re(r) => {
                let re = self.regex(r)?;
                Value::Num(f64::from(u8::from(re.is_match(&self.record))))
            }
            Expr::Var(n) => self.get_var(n),
            Expr::Field(i) => {
                let n = self.eval(i)?.num();
                if n < 0.0 {
                    return Err(Fatal(format!("attempt to access field {}", n as i64)));
                }
                self.get_field(n as usize)?
            }
            Expr::Index(n, idx) => {
                let k = self.subscript(idx)?;
                let a = self.array(n)?;
                let v = a.borrow().get(&k).cloned();
                match v {
                    Some(v) => v,
                    None => {
                        // Referencing an element creates it, as in every awk.
                        a.borrow_mut().insert(k, Value::Uninit);
                        Value::Uninit
                    }
                }
            }
            Expr::Assign(op, lv, rhs) => {
                let r = self.eval(rhs)?;
                let v = if op.is_empty() {
                    r
                } else {
                    let l = self.eval(lv)?.num();
                    // gawk names the assignment operator: "in `/='", "in `%='".
                    let y = r.num();
                    if y == 0.0 && matches!(*op, "/" | "%") {
                        return Err(Fatal(format!("division by zero attempted in `{op}='")));
                    }
                    Value::Num(arith(op, l, y)?)
                };
                self.assign(lv, v.clone())?;
                v
            }
            Expr::Cond(c, a, b) => {
                if self.cond(c)? {
                    self.eval(a)?
                } else {
                    self.eval(b)?
                }
            }
            Expr::And(a, b) => Value::Num(f64::from(u8::from(self.cond(a)? && self.cond(b)?))),
            Expr::Or(a, b) => Value::Num(f64::from(u8::from(self.cond(a)? || self.cond(b)?))),
            Expr::Not(a) => Value::Num(f64::from(u8::from(!self.cond(a)?))),
            Expr::Neg(a) => Value::Num(-self.eval(a)?.num()),
            Expr::Plus(a) => Value::Num(self.eval(a)?.num()),
            Expr::Bin(..) => {
                // A left-associative chain (`a + b - c ...`) is walked down its left spine
                // without recursion, so a long chain cannot overflow the host stack.
                let mut spine = Vec::new();
                let mut cur = e;
                while let Expr::Bin(op, a, b) = cur {
                    spine.push((*op, b));
                    cur = a;
                }
                let mut acc = self.eval(cur)?.num();
                for (op, b) in spine.into_iter().rev() {
                    let y = self.eval(b)?.num();
                    acc = arith(op, acc, y)?;
                }
                Value::Num(acc)
            }
            Expr::Cmp(op, a, b) => {
                let x = self.eval(a)?;
                let y = self.eval(b)?;
                let ord = match (x.numeric(), y.numeric()) {
                    (Some(p), Some(q)) => p.partial_cmp(&q),
                    _ => Some(self.tostr(&x).cmp(&self.tostr(&y))),
                };
                let t = match ord {
                    None => *op == "!=",
                    Some(o) => match *op {
                        "<" => o.is_lt(),
                        "<=" => o.is_le(),
                        "==" => o.is_eq(),
                        "!=" => o.is_ne(),
                        ">=" => o.is_ge(),
                        _ => o.is_gt(),
                    },
                };
                Value::Num(f64::from(u8::from(t)))
            }
            Expr::Match(neg, a, b) => {
                let s = self.eval(a)?;
                let s = self.tostr(&s);
                let re = self.regex_of(b)?;
                Value::Num(f64::from(u8::from(re.is_match(&s) != *neg)))
            }
            Expr::Concat(..) => {
                let mut spine = Vec::new();
                let mut cur = e;
                while let Expr::Concat(a, b) = cur {
                    spine.push(b);
                    cur = a;
                }
                let first = self.eval(cur)?;
                let mut acc = self.tostr(&first);
                for b in spine.into_iter().rev() {
                    let y = self.eval(b)?;
                    acc.push_str(&self.tostr(&y));
                }
                Value::Str(acc)
            }
            Expr::In(keys, name) => {
                let k = self.subscript(keys)?;
                let a = self.array(name)?;
                let has = a.borrow().contains_key(&k);
                Value::Num(f64::from(u8::from(has)))
            }
            Expr::Incr(pre, d, lv) => {
                let old = self.eval(lv)?.num();
                self.assign(lv, Value::Num(old + d))?;
                Value::Num(if *pre { old + d } else { old })
            }
            Expr::Group(v) => {
                // `(a, b)` outside `in`: gawk concatenates with SUBSEP.
                let k = self.subscript(v)?;
                Value::Str(k)
            }
            Expr::Call(name, args) => self.call(name, args)?,
            Expr::Builtin(name, args) => self.builtin(name, args)?,
            Expr::Getline(src, var) => self.getline(src, var.as_deref())?,
        })
    }

    /// The regex a `~` operand or a function argument stands for: a literal, or any
    /// expression's string value.
    fn regex_of(&mut self, e: &Expr) -> R<Regex> {
        match e {
            Expr::Re(r) => self.regex(r),
            other => {
                let v = self.eval(other)?;
                let s = self.tostr(&v);
                self.regex(&s)
            }
        }
    }

    fn getline(&mut self, src: &GetSrc, var: Option<&Expr>) -> R<Value> {
        let rec = match src {
            GetSrc::Main => match self.next_record()? {
                Some(r) => r,
                None => return Ok(Value::Num(0.0)),
            },
            GetSrc::File(f) => {
                let v = self.eval(f)?;
                let name = self.tostr(&v);
                // The file is read a buffer at a time (`getline line < "/dev/zero"`-like
                // endless inputs and big files are not read whole), with RS as it was when
                // the file was opened.
                if !self.getline_files.contains_key(&name) {
                    let paragraph = self.gs("RS").is_empty();
                    match self.open_source(&name)? {
                        Ok(s) => {
                            self.getline_files.insert(name.clone(), (s, paragraph));
                        }
                        Err(_) => return Ok(Value::Num(-1.0)),
                    }
                }
                let Some((mut src, paragraph)) = self.getline_files.remove(&name) else {
                    return Ok(Value::Num(-1.0));
                };
                let got = self.pull(&mut src, paragraph);
                self.getline_files.insert(name, (src, paragraph));
                match got {
                    Ok(Some(r)) => r,
                    Ok(None) => return Ok(Value::Num(0.0)),
                    Err(()) => return Ok(Value::Num(-1.0)),
                }
            }
            GetSrc::Cmd(c) => {
                let v = self.eval(c)?;
                let cmd = self.tostr(&v);
                if !self.cmd_inputs.contains_key(&cmd) {
                    self.flush()?;
                    let (_, out) = self.host.run(&cmd, None, true);
                    let recs = self.split_records(&out)?;
                    self.cmd_inputs.insert(cmd.clone(), (recs, 0));
                }
                let Some((recs, pos)) = self.cmd_inputs.get_mut(&cmd) else {
                    return Ok(Value::Num(-1.0));
                };
                if *pos >= recs.len() {
                    return Ok(Value::Num(0.0));
                }
                *pos += 1;
                let r = recs[*pos - 1].clone();
                self.bump("NR");
                r
            }
        };
        match var {
            Some(lv) => self.assign(lv, Value::StrNum(rec))?,
            None => self.set_record(rec),
        }
        Ok(Value::Num(1.0))
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> R<Value> {
        let Some(f) = self.prog.funcs.get(name) else {
            return Err(Fatal(format!("function `{name}' not defined")));
        };
        if args.len() > f.params.len() {
            return Err(Fatal(format!(
                "function `{name}' called with more arguments than declared"
            )));
        }
        if self.frames.len() >= CALL_DEPTH {
            return Err(Fatal(format!(
                "cgsim stops awk function calls nested deeper than {CALL_DEPTH}"
            )));
        }
        self.step()?;
        let mut frame = HashMap::new();
        for (i, p) in f.params.iter().enumerate() {
            let var = match args.get(i) {
                None => Var::Scalar(Value::Uninit),
                Some(Expr::Var(n)) => match self.lookup(n) {
                    Some(Var::Array(a)) => Var::Array(a.clone()),
                    Some(Var::Scalar(v)) if *v != Value::Uninit => Var::Scalar(v.clone()),
                    _ if uses_as_array(&f.body, p) => Var::Array(self.array(n)?),
                    _ => Var::Scalar(Value::Uninit),
                },
                Some(e) => Var::Scalar(self.eval(e)?),
            };
            frame.insert(p.clone(), var);
        }
        self.frames.push(frame);
        let caller = self.pos;
        let r = self.exec_block(&f.body);
        self.frames.pop();
        if r.is_ok() {
            self.pos = caller;
        }
        match r? {
            Flow::Return(v) => Ok(v),
            Flow::Exit => {
                self.exiting = true;
                Ok(Value::Uninit)
            }
            Flow::Next => Err(Fatal("`next' used in function".into())),
            _ => Ok(Value::Uninit),
        }
    }

    fn arg_str(&mut self, args: &[Expr], i: usize) -> R<String> {
        match args.get(i) {
            Some(e) => {
                let v = self.eval(e)?;
                Ok(self.tostr(&v))
            }
            None => Ok(String::new()),
        }
    }

    fn arg_num(&mut self, args: &[Expr], i: usize) -> R<f64> {
        match args.get(i) {
            Some(e) => Ok(self.eval(e)?.num()),
            None => Ok(0.0),
        }
    }

    fn builtin(&mut self, name: &str, args: &[Expr]) -> R<Value> {
        let want = |lo: usize, hi: usize| -> R<()> {
            if args.len() < lo || args.len() > hi {
                Err(Fatal(format!(
                    "{name}: called with {} arguments",
                    args.len()
                )))
            } else {
                Ok(())
            }
        };
        Ok(match name {
            "length" => {
                want(0, 1)?;
                match args.first() {
                    None => Value::Num(self.record.chars().count() as f64),
                    Some(Expr::Var(n)) if matches!(self.lookup(n), Some(Var::Array(_))) => {
                        let a = self.array(n)?;
                        Value::Num(a.borrow().len() as f64)
                    }
                    Some(_) => Value::Num(self.arg_str(args, 0)?.chars().count() as f64),
                }
            }
            "substr" => {
                want(2, 3)?;
                let s: Vec<char> = self.arg_str(args, 0)?.chars().collect();
                // As gawk 5 behaves: the start and length are truncated; a start before the
                // first character counts from the first, with the length unchanged.
                let start = self.arg_num(args, 1)?.trunc();
                let start = if start.is_nan() || start < 1.0 {
                    1.0
                } else {
                    start
                };
                let len = if args.len() == 3 {
                    self.arg_num(args, 2)?.trunc()
                } else {
                    f64::INFINITY
                };
                let from = (start as usize - 1).min(s.len());
                let to = if len.is_nan() || len <= 0.0 {
                    from
                } else if len.is_infinite() {
                    s.len()
                } else {
                    (from as f64 + len).min(s.len() as f64) as usize
                };
                Value::Str(s[from..to].iter().collect())
            }
            "index" => {
                want(2, 2)?;
                let s = self.arg_str(args, 0)?;
                let t = self.arg_str(args, 1)?;
                let pos = s.find(&t).map_or(0, |b| s[..b].chars().count() + 1);
                Value::Num(pos as f64)
            }
            "split" => {
                want(2, 3)?;
                let s = self.arg_str(args, 0)?;
                let Some(Expr::Var(an)) = args.get(1) else {
                    return Err(Fatal("split: second argument is not an array".into()));
                };
                let parts = match args.get(2) {
                    None => {
                        let fs = self.gs("FS");
                        self.split_with(&s, &fs, false)?
                    }
                    Some(Expr::Re(r)) => {
                        let re = self.regex(r)?;
                        if s.is_empty() {
                            Vec::new()
                        } else {
                            re.split(&s).map(str::to_string).collect()
                        }
                    }
                    Some(_) => {
                        let fs = self.arg_str(args, 2)?;
                        self.split_with(&s, &fs, false)?
                    }
                };
                let a = self.array(an)?;
                let mut m = a.borrow_mut();
                m.clear();
                for (i, p) in parts.iter().enumerate() {
                    m.insert((i + 1).to_string(), Value::StrNum(p.clone()));
                }
                Value::Num(parts.len() as f64)
            }
            "sub" | "gsub" => {
                want(2, 3)?;
                let re = self.regex_of(&args[0])?;
                let repl = self.arg_str(args, 1)?;
                let target = args
                    .get(2)
                    .cloned()
                    .unwrap_or(Expr::Field(Box::new(Expr::Num(0.0))));
                let v = self.eval(&target)?;
                let s = self.tostr(&v);
                let (out, n) = substitute(&re, &s, &repl, name == "gsub");
                if n > 0 && matches!(target, Expr::Var(_) | Expr::Field(_) | Expr::Index(..)) {
                    self.assign(&target, Value::Str(out))?;
                }
                Value::Num(n as f64)
            }
            "match" => {
                want(2, 3)?;
                let s = self.arg_str(args, 0)?;
                let re = self.regex_of(&args[1])?;
                let (start, len) = match re.captures(&s) {
                    Some(c) => {
                        let m = c.get(0).map_or(0..0, |m| m.range());
                        if let Some(Expr::Var(an)) = args.get(2) {
                            let a = self.array(an)?;
                            let mut a = a.borrow_mut();
                            a.clear();
                            for (i, g) in c.iter().enumerate() {
                                if let Some(g) = g {
                                    a.insert(i.to_string(), Value::StrNum(g.as_str().to_string()));
                                }
                            }
                        }
                        (
                            s[..m.start].chars().count() as f64 + 1.0,
                            s[m.clone()].chars().count() as f64,
                        )
                    }
                    None => (0.0, -1.0),
                };
                self.set_global("RSTART", Value::Num(start));
                self.set_global("RLENGTH", Value::Num(len));
                Value::Num(start)
            }
            "sprintf" => {
                if args.is_empty() {
                    return Err(Fatal("sprintf: no arguments".into()));
                }
                let mut vals = Vec::new();
                for a in args {
                    vals.push(self.eval(a)?);
                }
                let fmt = self.tostr(&vals[0]);
                Value::Str(sprintf(&fmt, &vals[1..], &self.convfmt()).map_err(Fatal)?)
            }
            "sin" | "cos" | "exp" | "log" | "sqrt" | "int" => {
                want(1, 1)?;
                let x = self.arg_num(args, 0)?;
                Value::Num(match name {
                    "sin" => x.sin(),
                    "cos" => x.cos(),
                    "exp" => x.exp(),
                    "log" => x.ln(),
                    "sqrt" => x.sqrt(),
                    _ => x.trunc(),
                })
            }
            "atan2" => {
                want(2, 2)?;
                let y = self.arg_num(args, 0)?;
                let x = self.arg_num(args, 1)?;
                Value::Num(y.atan2(x))
            }
            "rand" => {
                // A 64-bit LCG: deterministic like gawk's (which starts from seed 0).
                self.rand_state = self
                    .rand_state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                Value::Num((self.rand_state >> 11) as f64 / (1u64 << 53) as f64)
            }
            "srand" => {
                let prev = self.seed;
                let s = if args.is_empty() {
                    0.0
                } else {
                    self.arg_num(args, 0)?
                };
                self.seed = s;
                self.rand_state = s as u64;
                Value::Num(prev)
            }
            "tolower" => Value::Str(self.arg_str(args, 0)?.to_ascii_lowercase()),
            "toupper" => Value::Str(self.arg_str(args, 0)?.to_ascii_uppercase()),
            "system" => {
                want(1, 1)?;
                let cmd = self.arg_str(args, 0)?;
                self.flush()?;
                let (st, _) = self.host.run(&cmd, None, false);
                Value::Num(f64::from(st))
            }
            "close" => {
                want(1, 2)?;
                let n = self.arg_str(args, 0)?;
                let mut r = -1.0;
                if self.opened.remove(&n).is_some() {
                    r = 0.0;
                }
                if let Some((src, _)) = self.getline_files.remove(&n) {
                    if let Some(st) = src.stream {
                        self.host.close_input(st.handle);
                    }
                    r = 0.0;
                }
                if self.cmd_inputs.remove(&n).is_some() {
                    r = 0.0;
                }
                if let Some(data) = self.pipes.remove(&n) {
                    self.flush()?;
                    let (st, _) = self.host.run(&n, Some(&data), false);
                    r = f64::from(st);
                }
                Value::Num(r)
            }
            other => return Err(Fatal(format!("function `{other}' not defined"))),
        })
    }
}

/// Whether a function body uses `name` as an array (then an unset argument becomes one in
/// the caller, as gawk does): subscripts, `in`, `delete`, `for (k in name)`, `split`'s and
/// `match`'s array argument.
fn uses_as_array(body: &[Stmt], name: &str) -> bool {
    body.iter().any(|s| stmt_uses(s, name))
}

fn stmt_uses(s: &Stmt, name: &str) -> bool {
    let e = |x: &Expr| expr_uses(x, name);
    let st = |x: &Stmt| stmt_uses(x, name);
    match s {
        Stmt::Expr(x) => e(x),
        Stmt::Print(args, r) | Stmt::Printf(args, r) => {
            args.iter().any(e)
                || matches!(r, Some(Redir::File(x) | Redir::Append(x) | Redir::Pipe(x)) if e(x))
        }
        Stmt::If(c, a, b) => e(c) || st(a) || b.as_deref().is_some_and(st),
        Stmt::While(c, b) | Stmt::Do(b, c) => e(c) || st(b),
        Stmt::For(i, c, n, b) => {
            i.as_deref().is_some_and(st)
                || c.as_ref().is_some_and(e)
                || n.as_deref().is_some_and(st)
                || st(b)
        }
        Stmt::ForIn(_, a, b) => a == name || st(b),
        Stmt::Block(v) => v.iter().any(st),
        Stmt::At(_, s) => st(s),
        Stmt::Exit(x) | Stmt::Return(x) => x.as_ref().is_some_and(e),
        Stmt::Delete(a, idx) => a == name || idx.as_ref().is_some_and(|v| v.iter().any(e)),
        Stmt::Next | Stmt::NextFile | Stmt::Break | Stmt::Continue => false,
    }
}

fn expr_uses(x: &Expr, name: &str) -> bool {
    let e = |y: &Expr| expr_uses(y, name);
    match x {
        Expr::Num(_) | Expr::Str(_) | Expr::Re(_) | Expr::Var(_) => false,
        Expr::Index(n, idx) => n == name || idx.iter().any(e),
        Expr::In(keys, n) => n == name || keys.iter().any(e),
        Expr::Field(a) | Expr::Not(a) | Expr::Neg(a) | Expr::Plus(a) | Expr::Incr(_, _, a) => e(a),
        Expr::Assign(_, a, b)
        | Expr::And(a, b)
        | Expr::Or(a, b)
        | Expr::Bin(_, a, b)
        | Expr::Cmp(_, a, b)
        | Expr::Match(_, a, b)
        | Expr::Concat(a, b) => e(a) || e(b),
        Expr::Cond(a, b, c) => e(a) || e(b) || e(c),
        Expr::Builtin(f, args) => {
            let array_arg = match f.as_str() {
                "split" => args.get(1),
                "match" => args.get(2),
                _ => None,
            };
            matches!(array_arg, Some(Expr::Var(n)) if n == name) || args.iter().any(e)
        }
        Expr::Call(_, args) | Expr::Group(args) => args.iter().any(e),
        Expr::Getline(src, var) => {
            var.as_deref().is_some_and(e)
                || match src {
                    GetSrc::Main => false,
                    GetSrc::File(f) | GetSrc::Cmd(f) => e(f),
                }
        }
    }
}

fn arith(op: &str, x: f64, y: f64) -> R<f64> {
    Ok(match op {
        "+" => x + y,
        "-" => x - y,
        "*" => x * y,
        "/" => {
            if y == 0.0 {
                return Err(Fatal("division by zero attempted".into()));
            }
            x / y
        }
        "%" => {
            if y == 0.0 {
                return Err(Fatal("division by zero attempted in `%'".into()));
            }
            x % y
        }
        _ => x.powf(y),
    })
}

/// `sub`/`gsub`: `&` is the match, `\&` a literal ampersand, `\\` a backslash.
fn substitute(re: &Regex, s: &str, repl: &str, global: bool) -> (String, usize) {
    let mut out = String::new();
    let mut last = 0;
    let mut n = 0;
    for m in re.find_iter(s) {
        out.push_str(&s[last..m.start()]);
        let mut it = repl.chars().peekable();
        while let Some(c) = it.next() {
            match c {
                '\\' if it.peek() == Some(&'&') => {
                    it.next();
                    out.push('&');
                }
                '\\' if it.peek() == Some(&'\\') => {
                    it.next();
                    out.push('\\');
                }
                '&' => out.push_str(m.as_str()),
                c => out.push(c),
            }
        }
        last = m.end();
        n += 1;
        if !global {
            break;
        }
    }
    out.push_str(&s[last..]);
    (out, n)
}

/// awk's `sprintf`: C conversions; `%c` of a number is that character, of a string its first.
pub fn sprintf(fmt: &str, args: &[Value], convfmt: &str) -> Result<String, String> {
    let c: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut k = 0;
    let next = |k: &mut usize, at: usize| -> Result<Value, String> {
        let v = args.get(*k).cloned().ok_or_else(|| {
            format!(
                "not enough arguments to satisfy format string\n\t`{fmt}'\n\t{}^ ran out for this one",
                " ".repeat(at)
            )
        })?;
        *k += 1;
        Ok(v)
    };
    while i < c.len() {
        if c[i] != '%' {
            out.push(c[i]);
            i += 1;
            continue;
        }
        if c.get(i + 1) == Some(&'%') {
            out.push('%');
            i += 2;
            continue;
        }
        let Some((mut spec, j)) = parse_spec(&c, i + 1) else {
            out.push('%');
            i += 1;
            continue;
        };
        if spec.width == Some(None) {
            let w = next(&mut k, j - 1)?.num();
            if w < 0.0 {
                spec.minus = true;
            }
            spec.width = Some(Some(w.abs() as usize));
        }
        if spec.prec == Some(None) {
            let p = next(&mut k, j - 1)?.num();
            spec.prec = if p < 0.0 {
                None
            } else {
                Some(Some(p as usize))
            };
        }
        let v = next(&mut k, j - 1)?;
        let s = match spec.conv {
            'd' | 'i' => {
                let n = v.num();
                if n.is_finite() {
                    spec.int(n.trunc() as i128)
                } else {
                    spec.conv = 'f';
                    spec.float(n)
                }
            }
            'o' | 'x' | 'X' | 'u' => {
                let n = v.num().trunc();
                let n = if n < 0.0 {
                    (n as i64) as u64 as i128
                } else {
                    n as i128
                };
                spec.int(n)
            }
            'c' => {
                let ch = match &v {
                    Value::Num(n) => char::from_u32(*n as u32)
                        .map(String::from)
                        .unwrap_or_default(),
                    other => {
                        let s = other.str_with(convfmt);
                        s.chars().next().map(String::from).unwrap_or_default()
                    }
                };
                spec.string(&ch)
            }
            's' => {
                let s = match &v {
                    Value::Num(n) => num_to_str(*n, convfmt),
                    other => other.str_with(convfmt),
                };
                spec.string(&s)
            }
            _ => spec.float(v.num()),
        };
        out.push_str(&s);
        i = j;
    }
    Ok(out)
}
