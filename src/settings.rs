//! What a run needs to know, built once from the command line by the command layer: the layers
//! below never see clap, and never read the environment or recompute a limit per document.

use std::path::PathBuf;

use crate::engine::Options;
use crate::input::Origin;
use crate::yaml::tree::Limits;

/// Where the KubeOpenCodeConfig comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// The one KubeOpenCodeConfig document of the stream (or, for a KRM function, its
    /// `functionConfig`).
    Stream,
    /// `-c FILE`: a KubeOpenCodeConfig or a Helm values file.
    File(PathBuf),
    /// `-c -`.
    Stdin,
}

impl ConfigSource {
    pub fn origin(&self) -> Option<Origin> {
        match self {
            ConfigSource::Stream => None,
            ConfigSource::File(p) => Some(Origin::File(p.clone())),
            ConfigSource::Stdin => Some(Origin::Stdin),
        }
    }
}

/// The settings of one run over the inputs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub limits: Limits,
    /// What the engine selects and how it names things.
    pub options: Options,
    /// The inputs, expanded (directories listed), in order.
    pub inputs: Vec<Origin>,
    pub config: ConfigSource,
    /// The size a window of the input grows to before it is cut (see `window`).
    pub window_bytes: usize,
    /// Re-serialise every document instead of editing the text.
    pub normalize: bool,
    /// An input without documents is an error, not a warning.
    pub fail_on_empty: bool,
    /// Standard input may be a KRM ResourceList (the `inject` command only).
    pub krm: bool,
    /// Report lines start with their file's name (`--in-place`, where files are the output).
    pub report_files: bool,
    /// The report lines are printed (`inject` without `-q`): otherwise they are not built.
    pub report: bool,
    /// The warnings are printed (not with `-q`): otherwise they are not written at all, even
    /// when the run fails (formatting them was a tenth of the main thread's work).
    pub warnings: bool,
}
