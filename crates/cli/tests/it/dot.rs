//! The Graphviz renderer on a small hand-built object graph (the state after
//! `mount -o cpu none /cg; mkdir /cg/A; echo $$ > /cg/A/tasks`), as a snapshot.

use cgsim::dot::{
    CgroupNode, CssNode, CssSetNode, EventNode, HierarchyNode, ObjectGraph, TaskNode, render,
};

fn small_graph() -> ObjectGraph {
    let css = |id: &str, ss: &str, refcnt: i64| CssNode {
        id: id.to_string(),
        subsys: ss.to_string(),
        refcnt,
        owned: true,
        memcg: None,
    };
    ObjectGraph {
        hierarchies: vec![
            HierarchyNode {
                id: "h0".to_string(),
                label: "rootnode (dummy hierarchy)".to_string(),
                cgroups: vec![CgroupNode {
                    id: "cg0".to_string(),
                    path: "/".to_string(),
                    parent: None,
                    count: 2,
                    css: vec![],
                    events: vec![],
                }],
            },
            HierarchyNode {
                id: "h1".to_string(),
                label: "hierarchy 1: cpu".to_string(),
                cgroups: vec![
                    CgroupNode {
                        id: "cg1".to_string(),
                        path: "/".to_string(),
                        parent: None,
                        count: 1,
                        css: vec![css("css3", "cpu", 0)],
                        events: vec![],
                    },
                    CgroupNode {
                        id: "cg2".to_string(),
                        path: "/A".to_string(),
                        parent: Some("cg1".to_string()),
                        count: 1,
                        css: vec![css("css6", "cpu", 1)],
                        events: vec![EventNode {
                            file: "probe.level".to_string(),
                            args: "5".to_string(),
                            eventfd_count: 1,
                        }],
                    },
                ],
            },
        ],
        css_sets: vec![
            CssSetNode {
                id: "cs0".to_string(),
                refcount: 2,
                subsys: vec![("cpu".to_string(), "css3".to_string())],
                links: vec!["cg0".to_string(), "cg1".to_string()],
            },
            CssSetNode {
                id: "cs1".to_string(),
                refcount: 1,
                subsys: vec![("cpu".to_string(), "css6".to_string())],
                links: vec!["cg0".to_string(), "cg2".to_string()],
            },
        ],
        tasks: vec![
            TaskNode {
                pid: 1,
                comm: "init".to_string(),
                css_set: "cs0".to_string(),
            },
            TaskNode {
                pid: 2,
                comm: "sh".to_string(),
                css_set: "cs1".to_string(),
            },
        ],
    }
}

#[test]
fn renders_kernel_names_in_a_fixed_order() {
    let text = render(&small_graph());
    for name in [
        "cgroupfs_root",
        "cgroup|",
        "cgroup_subsys_state",
        "css_set",
        "cg_cgroup_link",
        "task_struct",
    ] {
        assert!(text.contains(name), "{name} missing from:\n{text}");
    }
    assert_eq!(text, render(&small_graph()), "rendering is deterministic");
    insta::assert_snapshot!("dot_small_graph", text);
}

#[test]
fn labels_are_escaped() {
    let mut g = small_graph();
    g.tasks[0].comm = "a|b{c}".to_string();
    let text = render(&g);
    assert!(text.contains("a\\|b\\{c\\}"), "{text}");
}
