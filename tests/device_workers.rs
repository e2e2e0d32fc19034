//! One worker per device role, over a running booth service: a fingerprint scanner that hangs
//! in the middle of a capture holds up its own role only. The camera preview goes on, receipts
//! print, the other devices' self-tests answer (the hung one is reported busy), and a second
//! capture on the hung scanner is refused at once instead of queueing behind it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use futures::StreamExt as _;
use ktpel_booth::booth::devices::Devices;
use ktpel_booth::booth::recording::Slot;
use ktpel_booth::booth::service::Service;
use ktpel_hal::{DeviceKind, ErrorKind, FingerPosition, ReceiptDoc};
use ktpel_sim::Fault;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_scanner_blocks_only_its_own_role() {
    let rig = common::rig(Duration::from_secs(20)).await;
    let common::Rig { booth, .. } = rig;
    let service = Service::with_devices(booth, Devices::simulated(3));
    let devices = service.devices();
    // The scanner hangs in its next call (ten minutes is a hang for a booth).
    devices
        .sim(DeviceKind::FingerprintScanner)
        .unwrap()
        .push_fault(Fault::Slow(Duration::from_secs(600)));
    let hung = {
        let service = service.clone();
        tokio::spawn(async move {
            service
                .capture(Slot::Finger(FingerPosition::RightThumb))
                .await
        })
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !devices.is_busy(DeviceKind::FingerprintScanner) {
        assert!(Instant::now() < deadline, "the scanner never started");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // The preview: thirty frames arrive while the scanner hangs.
    let feed = ktpel_booth::kiosk::preview::Feed {
        camera: devices.camera.clone(),
        scan_qr: false,
        assess_face: false,
    };
    let mut preview = std::pin::pin!(ktpel_booth::kiosk::preview::stream(&feed));
    let mut frames = 0;
    while frames < 30 {
        match tokio::time::timeout(Duration::from_secs(10), preview.next()).await {
            Ok(Some(ktpel_booth::kiosk::preview::Event::Frame(_))) => frames += 1,
            Ok(Some(other)) => panic!("the camera failed: {other:?}"),
            Ok(None) | Err(_) => panic!("the preview stopped after {frames} frames"),
        }
    }

    // A receipt prints.
    let doc = ReceiptDoc {
        lines: vec![ktpel_hal::ReceiptLine::Feed(1)],
    };
    service.print_receipt_doc(doc).await.unwrap();
    assert_eq!(
        devices
            .sim(DeviceKind::ReceiptPrinter)
            .unwrap()
            .printed_receipts()
            .len(),
        1
    );

    // The self-test of every role answers within its limit; only the scanner is busy.
    let reports = devices.self_test_all(Duration::from_secs(2)).await;
    assert_eq!(reports.len(), 7);
    for r in &reports {
        if r.kind == DeviceKind::FingerprintScanner {
            assert!(!r.passed);
            assert_eq!(r.error.as_ref().unwrap().kind, ErrorKind::Busy, "{r:?}");
        } else {
            assert!(
                r.passed,
                "{:?} failed while the scanner hung: {r:?}",
                r.kind
            );
        }
    }

    // Another finger on the hung scanner: refused at once, not queued.
    let t = Instant::now();
    let again = service
        .capture(Slot::Finger(FingerPosition::RightIndex))
        .await
        .unwrap_err();
    assert_eq!(again.kind, ErrorKind::Busy);
    assert!(
        t.elapsed() < Duration::from_secs(5),
        "a busy scanner answered late"
    );
    assert!(!hung.is_finished(), "the hung capture is still waiting");
    hung.abort();
}
