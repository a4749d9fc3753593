//! The one interface every output implements: it sees each event of the run in order, and
//! is told when the run is over.

use crate::event::Event;
use crate::report::file::WriteError;

pub trait Reporter: Send {
    /// One event, in the order the run produces them (scenarios in input order).
    fn on_event(&mut self, event: &Event);

    /// Whether its output can be written: asked before anything is sent.
    fn ready(&self) -> Result<(), WriteError> {
        Ok(())
    }

    /// The run is over: write whatever is still to be written.
    fn finish(&mut self) -> Result<(), WriteError>;
}

/// Every reporter of a run, fed the same events.
#[derive(Default)]
pub struct FanOut {
    reporters: Vec<Box<dyn Reporter>>,
}

impl FanOut {
    pub fn push(&mut self, reporter: Box<dyn Reporter>) {
        self.reporters.push(reporter);
    }

    pub fn on_event(&mut self, event: &Event) {
        for reporter in &mut self.reporters {
            reporter.on_event(event);
        }
    }

    /// Every reporter whose output cannot be written, and why.
    pub fn ready(&self) -> Vec<WriteError> {
        self.reporters.iter().filter_map(|r| r.ready().err()).collect()
    }

    /// Finishes every reporter, even after one fails; the failures come back.
    pub fn finish(&mut self) -> Vec<WriteError> {
        self.reporters.iter_mut().filter_map(|r| r.finish().err()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    struct Recorder {
        seen: Arc<Mutex<Vec<String>>>,
        fails: bool,
    }

    impl Reporter for Recorder {
        fn on_event(&mut self, event: &Event) {
            let word = match event {
                Event::RunStarted(_) => "started",
                Event::ScenarioStarted { .. } => "scenario",
                Event::ScenarioEnded { .. } => "ended",
                Event::ScenarioFinished(_) => "finished",
                Event::RunFinished(_) => "run finished",
                Event::AuthExchange(_) => "auth exchange",
                Event::Progress { .. } => "progress",
            };
            self.seen.lock().unwrap().push(word.into());
        }
        fn finish(&mut self) -> Result<(), WriteError> {
            self.seen.lock().unwrap().push("finish".into());
            if self.fails {
                Err(WriteError {
                    path: "r".into(),
                    source: std::io::Error::other("full"),
                })
            } else {
                Ok(())
            }
        }
    }

    #[test]
    fn every_reporter_sees_every_event_and_is_finished_even_after_one_fails() {
        let (a, b) = (Arc::new(Mutex::new(Vec::new())), Arc::new(Mutex::new(Vec::new())));
        let mut fan = FanOut::default();
        fan.push(Box::new(Recorder {
            seen: a.clone(),
            fails: true,
        }));
        fan.push(Box::new(Recorder {
            seen: b.clone(),
            fails: false,
        }));
        fan.on_event(&Event::ScenarioStarted {
            index: 0,
            name: "s".into(),
        });
        fan.on_event(&Event::Progress { requests_sent: 3 });
        let failures = fan.finish();
        assert_eq!(failures.len(), 1);
        for seen in [a, b] {
            assert_eq!(*seen.lock().unwrap(), ["scenario", "progress", "finish"]);
        }
    }
}
