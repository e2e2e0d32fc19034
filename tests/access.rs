//! Who may do what at the booth, through the booth service: the PIN lockout outlives a restart
//! and shows until when, a supervisor clears it, and each role is refused — with a message that
//! says so — what is not its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use ktpel_booth::booth::service::{Service, SignInError, Staff};
use ktpel_booth::config::Role;
use std::time::Duration;

const OPERATOR: &str = "246810";
const SUPERVISOR: &str = "975310";
const TECHNICIAN: &str = "135790";

async fn start(
    config: &ktpel_booth::config::Config,
    dir: &std::path::Path,
) -> std::sync::Arc<Service> {
    let clock = ktpel_booth::clock::Clock::System;
    let (booth, _) = ktpel_booth::embedded::start(config.clone(), dir.to_path_buf(), clock)
        .await
        .unwrap();
    Service::with_devices(booth, ktpel_booth::booth::devices::Devices::simulated(5))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lockout_survives_a_restart_and_a_supervisor_clears_it() {
    let rig = common::rig(Duration::from_secs(20)).await;
    let config = rig.booth.config.clone();
    let dir = rig.dir.path().to_path_buf();
    drop(rig.booth);
    let service = start(&config, &dir).await;
    for left in (1..5).rev() {
        match service.sign_in("111111".into()).await {
            Err(SignInError::Wrong { left: l }) => assert_eq!(l, left),
            other => panic!("{other:?}"),
        }
    }
    let until = match service.sign_in("111111".into()).await {
        Err(SignInError::LockedOut { until }) => until,
        other => panic!("{other:?}"),
    };
    let minutes = until.duration_since(jiff::Timestamp::now()).as_secs() / 60;
    assert!(
        (14..=15).contains(&minutes),
        "locked for the config's 15 minutes: {minutes}"
    );
    // A restart of the booth does not give a guesser a fresh set of tries.
    drop(service);
    let service = start(&config, &dir).await;
    assert!(matches!(
        service.sign_in(OPERATOR.into()).await,
        Err(SignInError::LockedOut { until: u }) if u == until
    ));
    // The technician is locked out too; an operator's PIN cannot clear it.
    assert!(matches!(
        service.sign_in(TECHNICIAN.into()).await,
        Err(SignInError::LockedOut { .. })
    ));
    assert!(matches!(
        service.clear_lockout(OPERATOR.into()).await,
        Err(SignInError::NotSupervisor)
    ));
    let supervisor = service.clear_lockout(SUPERVISOR.into()).await.unwrap();
    assert_eq!(supervisor.role, Role::Supervisor);
    let op = service.sign_in(OPERATOR.into()).await.unwrap();
    assert_eq!(op.role, Role::Operator);
    assert!(service.queue().verify_audit().await.unwrap().ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_is_refused_what_is_not_its_own_with_a_message_saying_so() {
    let rig = common::rig(Duration::from_secs(20)).await;
    let resident = rig.resident(4);
    let service = Service::with_devices(
        rig.booth,
        ktpel_booth::booth::devices::Devices::simulated(6),
    );
    let who = |role: Role| Staff {
        id: format!("{}-x", role.as_str()),
        name: "X".into(),
        role,
    };
    let tech = who(Role::Technician);
    let spv = who(Role::Supervisor);
    let op = who(Role::Operator);
    let refused = service
        .lookup(&tech, resident.nik.as_str())
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        refused,
        "a technician may not record applicants: that is not this role's work"
    );
    let refused = service.load_blanks(&op, 10).await.unwrap_err().to_string();
    assert_eq!(
        refused,
        "an operator may not count blank cards: that is not this role's work"
    );
    let refused = service
        .print_card(&spv, uuid::Uuid::now_v7(), None)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        refused,
        "a supervisor may not issue cards: that is not this role's work"
    );
    assert!(service.self_test(&op, vec![]).await.is_err());
    assert!(service.load_blanks(&tech, 10).await.is_ok());
    assert!(service.lookup(&op, resident.nik.as_str()).await.is_ok());
    // A supervisor's approval is only a supervisor's.
    assert!(matches!(
        service
            .approve(OPERATOR.into(), ktpel_booth::booth::service::Action::Issue)
            .await,
        Err(SignInError::NotSupervisor)
    ));
    assert_eq!(
        service
            .approve(
                SUPERVISOR.into(),
                ktpel_booth::booth::service::Action::Issue
            )
            .await
            .unwrap()
            .role,
        Role::Supervisor
    );
}
