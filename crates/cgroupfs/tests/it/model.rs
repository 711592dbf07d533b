//! Random sequences of mkdir/rmdir/create/unlink/stat under `/tmp/t`, checked against a small
//! reference model (a map from path to "is a directory") with the errno rules of `fs/namei.c`.

use super::*;
use proptest::prelude::*;
use std::collections::BTreeMap;

#[derive(Clone, Debug)]
enum Op {
    Mkdir(Vec<u8>),
    Rmdir(Vec<u8>),
    Create(Vec<u8>),
    Unlink(Vec<u8>),
    Stat(Vec<u8>),
}

fn path_strategy() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(0u8..3, 1..4)
}

fn op_strategy() -> impl Strategy<Value = Op> {
    prop_oneof![
        path_strategy().prop_map(Op::Mkdir),
        path_strategy().prop_map(Op::Rmdir),
        path_strategy().prop_map(Op::Create),
        path_strategy().prop_map(Op::Unlink),
        path_strategy().prop_map(Op::Stat),
    ]
}

fn name(c: u8) -> &'static str {
    ["a", "b", "c"][c as usize]
}

fn to_path(p: &[u8]) -> String {
    let mut s = String::from("/tmp/t");
    for &c in p {
        s.push('/');
        s.push_str(name(c));
    }
    s
}

/// The model: path (as component list) -> is_dir. The root `/tmp/t` is the empty list.
struct Model {
    nodes: BTreeMap<Vec<u8>, bool>,
}

impl Model {
    /// Errors of walking to the parent of `p` (`ENOENT` for a missing directory, `ENOTDIR` for a
    /// file used as one).
    fn walk_parent(&self, p: &[u8]) -> Result<(), Errno> {
        for i in 0..p.len() - 1 {
            match self.nodes.get(&p[..=i]) {
                None => return Err(Errno::ENOENT),
                Some(false) => return Err(Errno::ENOTDIR),
                Some(true) => {}
            }
        }
        Ok(())
    }

    fn apply(&mut self, op: &Op) -> Option<Errno> {
        let r = match op {
            Op::Mkdir(p) | Op::Create(p) => self.walk_parent(p).and_then(|()| {
                if self.nodes.contains_key(p) {
                    return Err(Errno::EEXIST);
                }
                self.nodes.insert(p.clone(), matches!(op, Op::Mkdir(_)));
                Ok(())
            }),
            Op::Rmdir(p) => self.walk_parent(p).and_then(|()| match self.nodes.get(p) {
                None => Err(Errno::ENOENT),
                Some(false) => Err(Errno::ENOTDIR),
                Some(true)
                    if self
                        .nodes
                        .keys()
                        .any(|k| k.len() > p.len() && k.starts_with(p)) =>
                {
                    Err(Errno::ENOTEMPTY)
                }
                Some(true) => {
                    self.nodes.remove(p);
                    Ok(())
                }
            }),
            Op::Unlink(p) => self.walk_parent(p).and_then(|()| match self.nodes.get(p) {
                None => Err(Errno::ENOENT),
                Some(true) => Err(Errno::EISDIR),
                Some(false) => {
                    self.nodes.remove(p);
                    Ok(())
                }
            }),
            Op::Stat(p) => self
                .walk_parent(p)
                .and_then(|()| self.nodes.get(p).map(|_| ()).ok_or(Errno::ENOENT)),
        };
        r.err()
    }
}

fn apply_kernel(k: &Kernel, op: &Op) -> Option<Errno> {
    let excl = OpenFlags {
        excl: true,
        ..OpenFlags::REDIRECT_TRUNC
    };
    match op {
        Op::Mkdir(p) => errno(k.mkdir(INIT, &to_path(p), 0o755)),
        Op::Rmdir(p) => errno(k.rmdir(INIT, &to_path(p))),
        Op::Create(p) => errno(
            k.open(INIT, &to_path(p), excl, 0o644)
                .and_then(|fd| k.close(INIT, fd)),
        ),
        Op::Unlink(p) => errno(k.unlink(INIT, &to_path(p))),
        Op::Stat(p) => errno(k.stat(INIT, &to_path(p))),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn tmpfs_matches_model(ops in prop::collection::vec(op_strategy(), 1..40)) {
        let k = boot();
        k.mkdir(INIT, "/tmp/t", 0o755).unwrap();
        let mut model = Model { nodes: BTreeMap::new() };
        for op in &ops {
            prop_assert_eq!(apply_kernel(&k, op), model.apply(op), "{:?}", op);
            k.check_invariants();
        }
        // The listing agrees with the model at the end.
        for (p, &is_dir) in &model.nodes {
            let st = k.stat(INIT, &to_path(p)).unwrap();
            prop_assert_eq!(st.file_type == cgsim_cgroupfs::FileType::Directory, is_dir);
        }
    }
}
