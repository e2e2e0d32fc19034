//! Speed and accuracy of the extractor on the simulator's synthetic prints.
//!
//! `cargo bench -p ktpel-minutiae` prints the milliseconds per image and the accuracy report:
//! how many of the known minutiae are found within 10 px (and within 10 px and 15°), how many
//! detections are false (no known minutia within 10 px), per image. Set `MINUTIAE_SUBJECTS`
//! to change the number of simulated people (default 40, × 10 fingers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "../tests/common/mod.rs"]
mod common;

use common::Score;
use ktpel_hal::FingerPosition;
use ktpel_sim::finger::FingerPattern;
use std::time::Instant;

fn main() {
    let subjects: u64 = std::env::var("MINUTIAE_SUBJECTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let mut images = Vec::new();
    for subject in 0..subjects {
        for position in FingerPosition::ALL {
            images.push((subject, position, common::capture(subject, position, false)));
        }
    }

    // Speed: every image once to warm up, then timed.
    for (_, _, img) in &images {
        let _ = ktpel_minutiae::extract(img, 500);
    }
    let start = Instant::now();
    let mut results = Vec::with_capacity(images.len());
    for (_, _, img) in &images {
        results.push(ktpel_minutiae::extract(img, 500));
    }
    let elapsed = start.elapsed();
    println!(
        "extract: {:.2} ms/image over {} images of 256x288 (release)",
        elapsed.as_secs_f64() * 1000.0 / images.len() as f64,
        images.len()
    );

    let (mut all, mut inner) = (Score::default(), Score::default());
    let mut errors = 0;
    let mut quality_sum = 0u64;
    for ((subject, position, _), result) in images.iter().zip(&results) {
        let truth = common::ground_truth(&FingerPattern::generate(*subject, *position));
        let inner_truth: Vec<_> = truth
            .iter()
            .copied()
            .filter(|t| t.edge_distance >= common::EDGE_MARGIN)
            .collect();
        match result {
            Ok(t) => {
                quality_sum += u64::from(t.quality);
                all.add(&common::score(&truth, &truth, &t.minutiae));
                inner.add(&common::score(&inner_truth, &truth, &t.minutiae));
            }
            Err(_) => {
                errors += 1;
                let none = common::score(&truth, &truth, &[]);
                all.add(&none);
                inner.add(&common::score(&inner_truth, &truth, &[]));
            }
        }
    }
    println!(
        "accuracy over {} images ({} without a template), mean finger quality {:.0}:",
        images.len(),
        errors,
        quality_sum as f64 / (images.len() - errors).max(1) as f64
    );
    report("all known minutiae", &all);
    report(
        &format!(
            "known minutiae ≥ {} px inside the print",
            common::EDGE_MARGIN
        ),
        &inner,
    );
    println!(
        "  detections per image {:.1}, false per image {:.2} ({:.1}% of detections)",
        all.detections_per_image(),
        all.false_per_image(),
        100.0 * all.false_detections as f32 / all.detections.max(1) as f32
    );

    // Degraded captures (the scanner's PoorQuality fault): quality and what survives.
    let mut poor = Score::default();
    let (mut poor_errors, mut poor_quality, mut n) = (0, 0u64, 0);
    for subject in 0..subjects.min(10) {
        for position in [FingerPosition::RightIndex, FingerPosition::LeftIndex] {
            n += 1;
            let img = common::capture(subject, position, true);
            let truth = common::ground_truth(&FingerPattern::generate(subject, position));
            match ktpel_minutiae::extract(&img, 500) {
                Ok(t) => {
                    poor_quality += u64::from(t.quality);
                    poor.add(&common::score(&truth, &truth, &t.minutiae));
                }
                Err(_) => poor_errors += 1,
            }
        }
    }
    println!(
        "poor captures: {n} images, {poor_errors} without a template, mean quality {:.0}, \
         recall {:.1}%, false per image {:.2}",
        poor_quality as f64 / (n - poor_errors).max(1) as f64,
        100.0 * poor.recall(),
        poor.false_per_image()
    );
}

fn report(what: &str, s: &Score) {
    println!(
        "  {what}: {:.1}/image; found within 10 px {:.1}%, within 10 px and 15° {:.1}% \
         (15° modulo 180°: {:.1}%), same kind {:.1}% of those",
        s.truths_per_image(),
        100.0 * s.recall_position(),
        100.0 * s.recall(),
        100.0 * s.recall_180(),
        100.0 * s.same_kind as f32 / s.found_position_angle.max(1) as f32
    );
}
