//! The HTML report's timeline: each scenario a bar on a time axis, concurrent scenarios in
//! lanes of their own, drawn as inline SVG.

use std::fmt::Write as _;
use std::time::Duration;

use crate::event::Status;

/// Height of one lane of the timeline, in SVG units.
const LANE: f64 = 16.0;
/// Width of the timeline's drawing area, in SVG units (it scales to the page).
const WIDTH: f64 = 1000.0;

/// The timeline: one lane per concurrent slot, a bar per scenario coloured by status, each
/// a link to its scenario, with a time axis below.
pub fn timeline_svg(bars: &[Bar], total: Duration, text: impl Fn(&str) -> String) -> String {
    if bars.is_empty() {
        return "<p class=\"muted\">No scenario ran.</p>\n".into();
    }
    let lanes = bars.iter().map(|b| b.lane + 1).max().unwrap_or(1);
    let end = bars
        .iter()
        .map(|b| b.end)
        .max()
        .unwrap_or_default()
        .max(total)
        .as_secs_f64()
        .max(1e-6);
    let height = lanes as f64 * LANE + 24.0;
    let mut out = format!(
        "<div class=\"timeline\"><svg viewBox=\"0 0 {WIDTH} {height}\" preserveAspectRatio=\"none\" role=\"img\" aria-label=\"{} scenarios on a time axis, {} at once at most\">\n",
        bars.len(),
        lanes
    );
    for bar in bars {
        let x = bar.start.as_secs_f64() / end * WIDTH;
        let w = ((bar.end - bar.start).as_secs_f64() / end * WIDTH).max(1.5);
        let y = bar.lane as f64 * LANE + 2.0;
        let ms = (bar.end - bar.start).as_millis();
        let (class, note) = match bar.retried {
            true => (" retried", " · retried"),
            false => ("", ""),
        };
        let _ = writeln!(
            out,
            "<a href=\"#s{}\" class=\"bar {}{class}\"><rect x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{}\" rx=\"2\"><title>{} · {} · {ms} ms{note}</title></rect></a>",
            bar.index,
            bar.status.word(),
            LANE - 4.0,
            text(&bar.name),
            bar.status.word(),
        );
    }
    for (group, lane) in group_labels(bars) {
        let y = lane as f64 * LANE + 12.0;
        let _ = writeln!(
            out,
            "<text class=\"tick\" x=\"4\" y=\"{y:.1}\">shard {}</text>",
            text(&group)
        );
    }
    // Five ticks along the axis, in milliseconds from the start.
    let axis_y = lanes as f64 * LANE + 4.0;
    let _ = writeln!(
        out,
        "<line class=\"axis\" x1=\"0\" y1=\"{axis_y}\" x2=\"{WIDTH}\" y2=\"{axis_y}\"/>"
    );
    for i in 0..=4 {
        let x = WIDTH * i as f64 / 4.0;
        let ms = end * 1000.0 * i as f64 / 4.0;
        let anchor = match i {
            0 => "start",
            4 => "end",
            _ => "middle",
        };
        let _ = writeln!(
            out,
            "<text class=\"tick\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{ms:.0} ms</text>",
            axis_y + 16.0
        );
    }
    out.push_str("</svg>\n<p class=\"legend muted\">One lane per scenario running at once (a group of lanes per shard of a merged run); a dashed outline: a step was tried again or resent.</p></div>\n");
    out
}

/// A scenario on the timeline: when it started and ended, from the run's start.
#[derive(Clone)]
pub struct Bar {
    pub index: usize,
    pub name: String,
    pub status: Status,
    pub start: Duration,
    pub end: Duration,
    pub lane: usize,
    /// A step of it was tried again (`retry:`) or resent (429/503, a refused token).
    pub retried: bool,
    /// The part of a sharded run it ran in, when parts were merged: its lanes are a group.
    pub group: Option<String>,
}

/// Gives each bar a lane, in order of start: as few lanes as the most scenarios at once;
/// each group (a shard's part of a merged run) has lanes of its own, one group below another.
pub fn assign_lanes(bars: &mut [Bar]) {
    let mut groups: Vec<Option<String>> = bars.iter().map(|b| b.group.clone()).collect();
    groups.sort();
    groups.dedup();
    let mut first_lane = 0;
    for group in groups {
        let mut order: Vec<usize> = (0..bars.len()).filter(|&i| bars[i].group == group).collect();
        order.sort_by_key(|&i| bars[i].start);
        let mut placed: Vec<Bar> = Vec::with_capacity(order.len());
        for i in order {
            let lane = lane_for(&placed, bars[i].start);
            bars[i].lane = lane;
            placed.push(Bar {
                name: String::new(),
                ..bars[i].clone()
            });
        }
        let lanes = placed.iter().map(|b| b.lane + 1).max().unwrap_or(0);
        for bar in bars.iter_mut().filter(|b| b.group == group) {
            bar.lane += first_lane;
        }
        first_lane += lanes;
    }
}

/// Each group's name and its first lane, for the labels of a merged run's timeline.
fn group_labels(bars: &[Bar]) -> Vec<(String, usize)> {
    let mut labels: Vec<(String, usize)> = Vec::new();
    for bar in bars {
        let Some(group) = &bar.group else { continue };
        match labels.iter_mut().find(|(g, _)| g == group) {
            Some((_, lane)) => *lane = (*lane).min(bar.lane),
            None => labels.push((group.clone(), bar.lane)),
        }
    }
    labels
}

/// The first lane free at `start`: concurrent scenarios take separate lanes.
fn lane_for(bars: &[Bar], start: Duration) -> usize {
    (0..)
        .find(|lane| !bars.iter().any(|b| b.lane == *lane && b.end > start))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bar(group: Option<&str>, lane: usize, start: u64, end: u64) -> Bar {
        Bar {
            index: 0,
            name: String::new(),
            status: Status::Passed,
            start: Duration::from_millis(start),
            end: Duration::from_millis(end),
            lane,
            retried: false,
            group: group.map(str::to_owned),
        }
    }

    #[test]
    fn lanes_follow_the_start_times_not_the_input_order() {
        // Input order: the second started before the first; two ran at once at most.
        let mut bars = vec![bar(None, 0, 10, 20), bar(None, 0, 0, 15), bar(None, 0, 16, 30)];
        assign_lanes(&mut bars);
        let lanes: Vec<usize> = bars.iter().map(|b| b.lane).collect();
        assert_eq!(lanes, vec![1, 0, 0]);
    }

    #[test]
    fn concurrent_scenarios_take_separate_lanes_and_free_them_when_done() {
        let bars = vec![bar(None, 0, 0, 100), bar(None, 1, 10, 50)];
        assert_eq!(lane_for(&bars, Duration::from_millis(20)), 2);
        assert_eq!(lane_for(&bars, Duration::from_millis(60)), 1);
        assert_eq!(lane_for(&bars, Duration::from_millis(120)), 0);
    }

    #[test]
    fn each_group_has_lanes_of_its_own_below_the_one_before() {
        // Both parts started at 0: without groups they would share lanes 0 and 1.
        let mut bars = vec![
            bar(Some("2/2"), 0, 0, 10),
            bar(Some("1/2"), 0, 0, 10),
            bar(Some("1/2"), 0, 5, 20),
            bar(Some("2/2"), 0, 10, 20),
        ];
        assign_lanes(&mut bars);
        let lanes: Vec<usize> = bars.iter().map(|b| b.lane).collect();
        assert_eq!(lanes, vec![2, 0, 1, 2]);
        assert_eq!(group_labels(&bars), vec![("2/2".to_owned(), 2), ("1/2".to_owned(), 0)]);
    }
}
