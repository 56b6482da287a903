//! `sample` (Elasticsearch): unordered groups of events, one distinct event per stage, that
//! share join keys. Samples come out sorted by key; each key gives at most
//! `max_samples_per_key` samples, taking candidate events in input order.

use super::dialect::Semantics;
use super::ops::compare_keys;
use super::sequence::{keys_of, StageSpec};
use crate::event::{Event, Group};
use crate::ops::{Flow, Operator, RunContext};
use crate::value::Value;
use std::collections::HashMap;

#[derive(Clone, Debug)]
pub struct SampleSpec {
    pub stages: Vec<StageSpec>,
    pub max_samples_per_key: usize,
    pub semantics: Semantics,
}

/// The most candidate combinations tried per key before giving up on finding more samples.
const MAX_ATTEMPTS_PER_KEY: usize = 100_000;

/// Per join key, per stage: candidate events with their arrival number, in input order.
type Candidates = HashMap<Vec<Value>, Vec<Vec<(u64, Event)>>, ahash::RandomState>;

pub struct Sample {
    spec: SampleSpec,
    candidates: Candidates,
    seq: u64,
}

impl Sample {
    pub fn new(spec: SampleSpec) -> Sample {
        Sample {
            spec,
            candidates: HashMap::default(),
            seq: 0,
        }
    }
}

impl Operator for Sample {
    fn push(&mut self, batch: &mut Vec<Event>, _ctx: &RunContext) -> Flow {
        let stages = self.spec.stages.len();
        for event in batch.drain(..) {
            let seq = self.seq;
            self.seq += 1;
            for (i, stage) in self.spec.stages.iter().enumerate() {
                if !stage.filter.matches(&event) {
                    continue;
                }
                for key in keys_of(&stage.keys, &event, &self.spec.semantics) {
                    let lists = self.candidates.entry(key).or_insert_with(|| vec![Vec::new(); stages]);
                    // A key never needs more candidates than samples plus stages.
                    if lists[i].len() < self.spec.max_samples_per_key + stages {
                        lists[i].push((seq, event.clone()));
                    }
                }
            }
        }
        Flow::Continue
    }

    fn finish(&mut self, out: &mut Vec<Event>, _ctx: &RunContext) {
        let mut keys: Vec<Vec<Value>> = self
            .candidates
            .iter()
            .filter(|(_, lists)| lists.iter().all(|l| !l.is_empty()))
            .map(|(k, _)| k.clone())
            .collect();
        keys.sort_by(|a, b| compare_keys(a, b));
        for key in keys {
            let lists = &self.candidates[&key];
            let mut found = 0;
            let mut index = vec![0usize; lists.len()];
            let mut attempts = 0;
            'combinations: loop {
                attempts += 1;
                if attempts > MAX_ATTEMPTS_PER_KEY {
                    break;
                }
                let picked: Vec<u64> = index.iter().zip(lists).map(|(i, l)| l[*i].0).collect();
                let distinct = picked.iter().enumerate().all(|(n, s)| !picked[..n].contains(s));
                if distinct {
                    out.push(Event::group(Group {
                        join_keys: key.clone(),
                        events: index.iter().zip(lists).map(|(i, l)| Some(l[*i].1.clone())).collect(),
                    }));
                    found += 1;
                    if found >= self.spec.max_samples_per_key {
                        break;
                    }
                }
                // Next combination, the last stage changing fastest.
                let mut pos = lists.len();
                loop {
                    if pos == 0 {
                        break 'combinations;
                    }
                    pos -= 1;
                    index[pos] += 1;
                    if index[pos] < lists[pos].len() {
                        break;
                    }
                    index[pos] = 0;
                }
            }
        }
    }
}
