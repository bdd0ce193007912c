
use builtin;
use str;

set edit:completion:arg-completer[kubeopencode-inject] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'kubeopencode-inject'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'kubeopencode-inject'= {
            cand -c 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)'
            cand --config 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)'
            cand -f 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin'
            cand --filename 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin'
            cand -n 'Namespace for objects that do not set metadata.namespace'
            cand --namespace 'Namespace for objects that do not set metadata.namespace'
            cand -l 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)'
            cand --selector 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)'
            cand --container 'Inject into exactly these containers (regular or init). Repeatable'
            cand --agent 'Agent name for workloads whose Task or labels do not tell it'
            cand --color 'When to use colour'
            cand --max-depth 'Maximum nesting depth of a document'
            cand --max-nodes 'Maximum number of nodes aliases may expand to in one document'
            cand --max-document-size 'Maximum size of one document, in MiB'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -R 'Read directories recursively (in a stable, sorted order)'
            cand --recursive 'Read directories recursively (in a stable, sorted order)'
            cand --all 'Select every pod-bearing workload, not only KubeOpenCode agent workloads'
            cand --fail-on-empty 'Fail (exit 2) when the input holds no documents, instead of warning: an empty output can make a GitOps tool prune everything it manages'
            cand --in-place 'Rewrite the input files (atomically; only files that change; never stdin)'
            cand -q 'Do not print the per-resource report or the warnings on stderr (errors still are)'
            cand --quiet 'Do not print the per-resource report or the warnings on stderr (errors still are)'
            cand --normalize 'Re-serialise every document (canonical YAML) instead of editing the text in place'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand inject 'Inject the OTel settings and write the manifests (the default command)'
            cand diff 'Show what injection would change, as a unified diff per resource (exit 1 when it would change something)'
            cand check 'CI gate: validate the config, lint the stream, and report drift (exit 1 on findings)'
            cand validate 'Validate a KubeOpenCodeConfig alone: the CRD rules, then the lints'
            cand install-kustomize-plugin 'Install this binary as kustomize''s exec plugin for `kind: KubeOpenCodeConfig` transformers (a symlink named `KubeOpenCodeConfig` under the kustomize plugin directory)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kubeopencode-inject;inject'= {
            cand -c 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)'
            cand --config 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)'
            cand -f 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin'
            cand --filename 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin'
            cand -n 'Namespace for objects that do not set metadata.namespace'
            cand --namespace 'Namespace for objects that do not set metadata.namespace'
            cand -l 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)'
            cand --selector 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)'
            cand --container 'Inject into exactly these containers (regular or init). Repeatable'
            cand --agent 'Agent name for workloads whose Task or labels do not tell it'
            cand --color 'When to use colour'
            cand --max-depth 'Maximum nesting depth of a document'
            cand --max-nodes 'Maximum number of nodes aliases may expand to in one document'
            cand --max-document-size 'Maximum size of one document, in MiB'
            cand -o 'Output format'
            cand --output 'Output format'
            cand -R 'Read directories recursively (in a stable, sorted order)'
            cand --recursive 'Read directories recursively (in a stable, sorted order)'
            cand --all 'Select every pod-bearing workload, not only KubeOpenCode agent workloads'
            cand --fail-on-empty 'Fail (exit 2) when the input holds no documents, instead of warning: an empty output can make a GitOps tool prune everything it manages'
            cand --in-place 'Rewrite the input files (atomically; only files that change; never stdin)'
            cand -q 'Do not print the per-resource report or the warnings on stderr (errors still are)'
            cand --quiet 'Do not print the per-resource report or the warnings on stderr (errors still are)'
            cand --normalize 'Re-serialise every document (canonical YAML) instead of editing the text in place'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubeopencode-inject;diff'= {
            cand -c 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)'
            cand --config 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)'
            cand -f 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin'
            cand --filename 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin'
            cand -n 'Namespace for objects that do not set metadata.namespace'
            cand --namespace 'Namespace for objects that do not set metadata.namespace'
            cand -l 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)'
            cand --selector 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)'
            cand --container 'Inject into exactly these containers (regular or init). Repeatable'
            cand --agent 'Agent name for workloads whose Task or labels do not tell it'
            cand --color 'When to use colour'
            cand --max-depth 'Maximum nesting depth of a document'
            cand --max-nodes 'Maximum number of nodes aliases may expand to in one document'
            cand --max-document-size 'Maximum size of one document, in MiB'
            cand -R 'Read directories recursively (in a stable, sorted order)'
            cand --recursive 'Read directories recursively (in a stable, sorted order)'
            cand --all 'Select every pod-bearing workload, not only KubeOpenCode agent workloads'
            cand --fail-on-empty 'Fail (exit 2) when the input holds no documents, instead of warning: an empty output can make a GitOps tool prune everything it manages'
            cand --normalize 'Compare against the normalised (re-serialised) output'
            cand -q 'Print nothing: only the exit status tells whether something would change (like `git diff --quiet`)'
            cand --quiet 'Print nothing: only the exit status tells whether something would change (like `git diff --quiet`)'
            cand --exit-code 'Print nothing: only the exit status tells whether something would change (like `git diff --quiet`)'
            cand --in-place 'Not an option of diff (it never writes files); accepted only to say so'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubeopencode-inject;check'= {
            cand -c 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)'
            cand --config 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)'
            cand -f 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin'
            cand --filename 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin'
            cand -n 'Namespace for objects that do not set metadata.namespace'
            cand --namespace 'Namespace for objects that do not set metadata.namespace'
            cand -l 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)'
            cand --selector 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)'
            cand --container 'Inject into exactly these containers (regular or init). Repeatable'
            cand --agent 'Agent name for workloads whose Task or labels do not tell it'
            cand --color 'When to use colour'
            cand --max-depth 'Maximum nesting depth of a document'
            cand --max-nodes 'Maximum number of nodes aliases may expand to in one document'
            cand --max-document-size 'Maximum size of one document, in MiB'
            cand --format 'Output format of the findings'
            cand -R 'Read directories recursively (in a stable, sorted order)'
            cand --recursive 'Read directories recursively (in a stable, sorted order)'
            cand --all 'Select every pod-bearing workload, not only KubeOpenCode agent workloads'
            cand --fail-on-empty 'Fail (exit 2) when the input holds no documents, instead of warning: an empty output can make a GitOps tool prune everything it manages'
            cand --strict 'Treat warnings as failures (exit 1)'
            cand -q 'Print only the findings that fail the run, and no summary'
            cand --quiet 'Print only the findings that fail the run, and no summary'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubeopencode-inject;validate'= {
            cand -c 'The KubeOpenCodeConfig to validate (YAML or JSON; `-` for stdin)'
            cand --config 'The KubeOpenCodeConfig to validate (YAML or JSON; `-` for stdin)'
            cand --format 'Output format of the findings'
            cand --color 'When to use colour'
            cand --strict 'Treat warnings as failures (exit 1)'
            cand -q 'Print only the findings that fail the run, and no summary'
            cand --quiet 'Print only the findings that fail the run, and no summary'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'kubeopencode-inject;install-kustomize-plugin'= {
            cand --dir 'The config home holding `kustomize/plugin` (default: $XDG_CONFIG_HOME, else ~/.config). $KUSTOMIZE_PLUGIN_HOME, when set and --dir is not given, is used as the plugin directory itself'
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubeopencode-inject;completions'= {
            cand -h 'Print help'
            cand --help 'Print help'
        }
        &'kubeopencode-inject;help'= {
            cand inject 'Inject the OTel settings and write the manifests (the default command)'
            cand diff 'Show what injection would change, as a unified diff per resource (exit 1 when it would change something)'
            cand check 'CI gate: validate the config, lint the stream, and report drift (exit 1 on findings)'
            cand validate 'Validate a KubeOpenCodeConfig alone: the CRD rules, then the lints'
            cand install-kustomize-plugin 'Install this binary as kustomize''s exec plugin for `kind: KubeOpenCodeConfig` transformers (a symlink named `KubeOpenCodeConfig` under the kustomize plugin directory)'
            cand completions 'Print a shell completion script'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'kubeopencode-inject;help;inject'= {
        }
        &'kubeopencode-inject;help;diff'= {
        }
        &'kubeopencode-inject;help;check'= {
        }
        &'kubeopencode-inject;help;validate'= {
        }
        &'kubeopencode-inject;help;install-kustomize-plugin'= {
        }
        &'kubeopencode-inject;help;completions'= {
        }
        &'kubeopencode-inject;help;help'= {
        }
    ]
    $completions[$command]
}
