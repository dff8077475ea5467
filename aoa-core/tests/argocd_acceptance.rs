//! Issue 14's acceptance cases (`../shared/fixtures/argocd/acceptance/`), each its own named test: every row
//! of `rbac_cases.csv`, every case of `ordering_cases.yaml` and of `project_and_rollingsync_cases.yaml`. The
//! cases are read from the fixtures in place; this file only names them (one test per case id or index).
#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "tests fail loudly on what they do not expect"
)]

mod argocd_cases;
use argocd_cases::{destination, group_kind, ordering, rbac, rolling, source_repo};

#[test]
fn rbac_r01() {
    rbac("R01");
}

#[test]
fn rbac_r02() {
    rbac("R02");
}

#[test]
fn rbac_r03() {
    rbac("R03");
}

#[test]
fn rbac_r04() {
    rbac("R04");
}

#[test]
fn rbac_r05() {
    rbac("R05");
}

#[test]
fn rbac_r06() {
    rbac("R06");
}

#[test]
fn rbac_r07() {
    rbac("R07");
}

#[test]
fn rbac_r08() {
    rbac("R08");
}

#[test]
fn rbac_r09() {
    rbac("R09");
}

#[test]
fn rbac_r10() {
    rbac("R10");
}

#[test]
fn rbac_r11() {
    rbac("R11");
}

#[test]
fn rbac_r12() {
    rbac("R12");
}

#[test]
fn rbac_r13() {
    rbac("R13");
}

#[test]
fn rbac_r14() {
    rbac("R14");
}

#[test]
fn rbac_r15() {
    rbac("R15");
}

#[test]
fn rbac_r16() {
    rbac("R16");
}

#[test]
fn rbac_r17() {
    rbac("R17");
}

#[test]
fn rbac_r18() {
    rbac("R18");
}

#[test]
fn rbac_r19() {
    rbac("R19");
}

#[test]
fn rbac_r20() {
    rbac("R20");
}

#[test]
fn rbac_r21() {
    rbac("R21");
}

#[test]
fn rbac_r22() {
    rbac("R22");
}

#[test]
fn rbac_r23() {
    rbac("R23");
}

#[test]
fn rbac_r24() {
    rbac("R24");
}

#[test]
fn rbac_r25() {
    rbac("R25");
}

#[test]
fn rbac_r26() {
    rbac("R26");
}

#[test]
fn rbac_r27() {
    rbac("R27");
}

#[test]
fn rbac_r28() {
    rbac("R28");
}

#[test]
fn rbac_r29() {
    rbac("R29");
}

#[test]
fn rbac_r30() {
    rbac("R30");
}

#[test]
fn rbac_r31() {
    rbac("R31");
}

#[test]
fn rbac_r32() {
    rbac("R32");
}

#[test]
fn rbac_r33() {
    rbac("R33");
}

#[test]
fn rbac_r34() {
    rbac("R34");
}

#[test]
fn rbac_r35() {
    rbac("R35");
}

#[test]
fn rbac_r36() {
    rbac("R36");
}

#[test]
fn rbac_r37() {
    rbac("R37");
}

#[test]
fn rbac_r38() {
    rbac("R38");
}

#[test]
fn rbac_r39() {
    rbac("R39");
}

#[test]
fn rbac_r40() {
    rbac("R40");
}

#[test]
fn rbac_r41() {
    rbac("R41");
}

#[test]
fn rbac_r42() {
    rbac("R42");
}

#[test]
fn rbac_r43() {
    rbac("R43");
}

#[test]
fn rbac_r44() {
    rbac("R44");
}

#[test]
fn rbac_r45() {
    rbac("R45");
}

#[test]
fn rbac_r46() {
    rbac("R46");
}

#[test]
fn rbac_r47() {
    rbac("R47");
}

#[test]
fn rbac_r48() {
    rbac("R48");
}

#[test]
fn rbac_r49() {
    rbac("R49");
}

#[test]
fn rbac_r50() {
    rbac("R50");
}

#[test]
fn rbac_r51() {
    rbac("R51");
}

#[test]
fn rbac_r52() {
    rbac("R52");
}

#[test]
fn rbac_r53() {
    rbac("R53");
}

#[test]
fn rbac_r54() {
    rbac("R54");
}

#[test]
fn rbac_r55() {
    rbac("R55");
}

#[test]
fn ordering_o01() {
    ordering("O01");
}

#[test]
fn ordering_o02() {
    ordering("O02");
}

#[test]
fn ordering_o03() {
    ordering("O03");
}

#[test]
fn ordering_o04() {
    ordering("O04");
}

#[test]
fn ordering_o05() {
    ordering("O05");
}

#[test]
fn ordering_o06() {
    ordering("O06");
}

#[test]
fn ordering_o07() {
    ordering("O07");
}

#[test]
fn ordering_o08() {
    ordering("O08");
}

#[test]
fn ordering_o09() {
    ordering("O09");
}

#[test]
fn ordering_o10() {
    ordering("O10");
}

#[test]
fn source_repos_00() {
    source_repo(0);
}

#[test]
fn source_repos_01() {
    source_repo(1);
}

#[test]
fn source_repos_02() {
    source_repo(2);
}

#[test]
fn source_repos_03() {
    source_repo(3);
}

#[test]
fn source_repos_04() {
    source_repo(4);
}

#[test]
fn source_repos_05() {
    source_repo(5);
}

#[test]
fn source_repos_06() {
    source_repo(6);
}

#[test]
fn source_repos_07() {
    source_repo(7);
}

#[test]
fn source_repos_08() {
    source_repo(8);
}

#[test]
fn source_repos_09() {
    source_repo(9);
}

#[test]
fn source_repos_10() {
    source_repo(10);
}

#[test]
fn source_repos_11() {
    source_repo(11);
}

#[test]
fn destinations_00() {
    destination(0);
}

#[test]
fn destinations_01() {
    destination(1);
}

#[test]
fn destinations_02() {
    destination(2);
}

#[test]
fn destinations_03() {
    destination(3);
}

#[test]
fn destinations_04() {
    destination(4);
}

#[test]
fn destinations_05() {
    destination(5);
}

#[test]
fn destinations_06() {
    destination(6);
}

#[test]
fn destinations_07() {
    destination(7);
}

#[test]
fn destinations_08() {
    destination(8);
}

#[test]
fn destinations_09() {
    destination(9);
}

#[test]
fn destinations_10() {
    destination(10);
}

#[test]
fn group_kinds_00() {
    group_kind(0);
}

#[test]
fn group_kinds_01() {
    group_kind(1);
}

#[test]
fn group_kinds_02() {
    group_kind(2);
}

#[test]
fn group_kinds_03() {
    group_kind(3);
}

#[test]
fn group_kinds_04() {
    group_kind(4);
}

#[test]
fn group_kinds_05() {
    group_kind(5);
}

#[test]
fn group_kinds_06() {
    group_kind(6);
}

#[test]
fn group_kinds_07() {
    group_kind(7);
}

#[test]
fn group_kinds_08() {
    group_kind(8);
}

#[test]
fn group_kinds_09() {
    group_kind(9);
}

#[test]
fn rolling_sync_rs01() {
    rolling("RS01");
}

#[test]
fn rolling_sync_rs02() {
    rolling("RS02");
}

#[test]
fn rolling_sync_rs03() {
    rolling("RS03");
}
