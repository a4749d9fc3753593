//! `--shard I/N`: a split of the selected scenarios that each of N CI jobs runs one part of.
//! A scenario's part depends on its own file path only, so adding or removing a file moves
//! no other scenario between parts.

use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based.
    pub index: u32,
    pub count: u32,
}

impl Shard {
    pub fn parse(text: &str) -> Result<Self, String> {
        let (i, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not I/N (e.g. 1/3)"))?;
        let index: u32 = i.trim().parse().map_err(|_| format!("`{i}` is not a shard number"))?;
        let count: u32 = n.trim().parse().map_err(|_| format!("`{n}` is not a shard count"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("shard {index}/{count}: I runs from 1 to N"));
        }
        Ok(Shard { index, count })
    }

    pub fn contains(self, path: &Path) -> bool {
        let key = path.to_string_lossy().replace('\\', "/");
        (fnv1a(key.trim_start_matches("./").as_bytes()) % u64::from(self.count)) as u32 == self.index - 1
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// FNV-1a: fixed, so the split is the same on every machine and every Rust release.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, b| {
        (hash ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(files: &[String], count: u32) -> Vec<Vec<String>> {
        (1..=count)
            .map(|index| {
                let shard = Shard { index, count };
                files.iter().filter(|f| shard.contains(Path::new(f))).cloned().collect()
            })
            .collect()
    }

    #[test]
    fn parts_cover_every_scenario_once_and_stay_put_when_files_are_added() {
        let mut files: Vec<String> = (0..300)
            .map(|i| format!("scenarios/area{}/case-{i}.yaml", i % 7))
            .collect();
        let before = parts(&files, 3);
        let mut all: Vec<String> = before.concat();
        all.sort();
        let mut expected = files.clone();
        expected.sort();
        assert_eq!(all, expected, "each file in exactly one part");
        assert!(
            before.iter().all(|p| p.len() > 60),
            "parts are roughly even: {:?}",
            before.iter().map(Vec::len).collect::<Vec<_>>()
        );
        files.push("scenarios/new/unrelated.yaml".into());
        let after = parts(&files, 3);
        for (old, new) in before.iter().zip(&after) {
            let moved: Vec<&String> = new.iter().filter(|f| !old.contains(f)).collect();
            assert!(
                moved.iter().all(|f| f.as_str() == "scenarios/new/unrelated.yaml"),
                "{moved:?}"
            );
        }
    }

    #[test]
    fn parses_i_over_n() {
        assert_eq!(Shard::parse("2/3"), Ok(Shard { index: 2, count: 3 }));
        for bad in ["0/3", "4/3", "1/0", "x/2", "3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
