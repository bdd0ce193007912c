//! `install-kustomize-plugin`: a symlink named `KubeOpenCodeConfig` under the kustomize plugin
//! directory, so that kustomize runs this binary for `kind: KubeOpenCodeConfig` transformers.

use std::path::Path;

use crate::diag::{Code, Diagnostic};
use crate::report::{self, Colors, Exit};

pub(super) fn run(dir: Option<&Path>) -> Exit {
    let home = match dir {
        Some(d) => d.join("kustomize").join("plugin"),
        None => match std::env::var_os("KUSTOMIZE_PLUGIN_HOME").filter(|v| !v.is_empty()) {
            Some(h) => h.into(),
            None => {
                let config = std::env::var_os("XDG_CONFIG_HOME")
                    .filter(|v| !v.is_empty())
                    .map(std::path::PathBuf::from)
                    .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".config")));
                match config {
                    Some(c) => c.join("kustomize").join("plugin"),
                    None => {
                        return report::fail(
                            &[Diagnostic::error(
                                Code::Io,
                                "neither XDG_CONFIG_HOME nor HOME is set",
                            )
                            .with_help("pass --dir DIR")],
                            Colors::default(),
                        );
                    }
                }
            }
        },
    };
    let target = crate::krm::plugin_path(&home);
    let result = (|| -> std::io::Result<std::path::PathBuf> {
        let exe = std::env::current_exe()?;
        let exe = std::fs::canonicalize(exe)?;
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        if std::fs::symlink_metadata(&target).is_ok() {
            std::fs::remove_file(&target)?;
        }
        #[cfg(unix)]
        std::os::unix::fs::symlink(&exe, &target)?;
        #[cfg(not(unix))]
        std::fs::copy(&exe, &target).map(|_| ())?;
        Ok(exe)
    })();
    match result {
        Ok(exe) => {
            println!("{} -> {}", target.display(), exe.display());
            eprintln!(
                "kustomize runs it for transformers of kind KubeOpenCodeConfig: kubectl kustomize --enable-alpha-plugins DIR"
            );
            Exit::Ok
        }
        Err(e) => report::fail(
            &[Diagnostic::error(
                Code::Io,
                format!("cannot install {}: {e}", target.display()),
            )],
            Colors::default(),
        ),
    }
}
