
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'kubeopencode-inject' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'kubeopencode-inject'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'kubeopencode-inject' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for objects that do not set metadata.namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for objects that do not set metadata.namespace')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)')
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'Inject into exactly these containers (regular or init). Repeatable')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Agent name for workloads whose Task or labels do not tell it')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--max-depth', '--max-depth', [CompletionResultType]::ParameterName, 'Maximum nesting depth of a document')
            [CompletionResult]::new('--max-nodes', '--max-nodes', [CompletionResultType]::ParameterName, 'Maximum number of nodes aliases may expand to in one document')
            [CompletionResult]::new('--max-document-size', '--max-document-size', [CompletionResultType]::ParameterName, 'Maximum size of one document, in MiB')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Read directories recursively (in a stable, sorted order)')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Read directories recursively (in a stable, sorted order)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Select every pod-bearing workload, not only KubeOpenCode agent workloads')
            [CompletionResult]::new('--fail-on-empty', '--fail-on-empty', [CompletionResultType]::ParameterName, 'Fail (exit 2) when the input holds no documents, instead of warning: an empty output can make a GitOps tool prune everything it manages')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Rewrite the input files (atomically; only files that change; never stdin)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Do not print the per-resource report or the warnings on stderr (errors still are)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not print the per-resource report or the warnings on stderr (errors still are)')
            [CompletionResult]::new('--normalize', '--normalize', [CompletionResultType]::ParameterName, 'Re-serialise every document (canonical YAML) instead of editing the text in place')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('inject', 'inject', [CompletionResultType]::ParameterValue, 'Inject the OTel settings and write the manifests (the default command)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what injection would change, as a unified diff per resource (exit 1 when it would change something)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'CI gate: validate the config, lint the stream, and report drift (exit 1 on findings)')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Validate a KubeOpenCodeConfig alone: the CRD rules, then the lints')
            [CompletionResult]::new('install-kustomize-plugin', 'install-kustomize-plugin', [CompletionResultType]::ParameterValue, 'Install this binary as kustomize''s exec plugin for `kind: KubeOpenCodeConfig` transformers (a symlink named `KubeOpenCodeConfig` under the kustomize plugin directory)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubeopencode-inject;inject' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for objects that do not set metadata.namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for objects that do not set metadata.namespace')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)')
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'Inject into exactly these containers (regular or init). Repeatable')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Agent name for workloads whose Task or labels do not tell it')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--max-depth', '--max-depth', [CompletionResultType]::ParameterName, 'Maximum nesting depth of a document')
            [CompletionResult]::new('--max-nodes', '--max-nodes', [CompletionResultType]::ParameterName, 'Maximum number of nodes aliases may expand to in one document')
            [CompletionResult]::new('--max-document-size', '--max-document-size', [CompletionResultType]::ParameterName, 'Maximum size of one document, in MiB')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Read directories recursively (in a stable, sorted order)')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Read directories recursively (in a stable, sorted order)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Select every pod-bearing workload, not only KubeOpenCode agent workloads')
            [CompletionResult]::new('--fail-on-empty', '--fail-on-empty', [CompletionResultType]::ParameterName, 'Fail (exit 2) when the input holds no documents, instead of warning: an empty output can make a GitOps tool prune everything it manages')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Rewrite the input files (atomically; only files that change; never stdin)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Do not print the per-resource report or the warnings on stderr (errors still are)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Do not print the per-resource report or the warnings on stderr (errors still are)')
            [CompletionResult]::new('--normalize', '--normalize', [CompletionResultType]::ParameterName, 'Re-serialise every document (canonical YAML) instead of editing the text in place')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubeopencode-inject;diff' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for objects that do not set metadata.namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for objects that do not set metadata.namespace')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)')
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'Inject into exactly these containers (regular or init). Repeatable')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Agent name for workloads whose Task or labels do not tell it')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--max-depth', '--max-depth', [CompletionResultType]::ParameterName, 'Maximum nesting depth of a document')
            [CompletionResult]::new('--max-nodes', '--max-nodes', [CompletionResultType]::ParameterName, 'Maximum number of nodes aliases may expand to in one document')
            [CompletionResult]::new('--max-document-size', '--max-document-size', [CompletionResultType]::ParameterName, 'Maximum size of one document, in MiB')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Read directories recursively (in a stable, sorted order)')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Read directories recursively (in a stable, sorted order)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Select every pod-bearing workload, not only KubeOpenCode agent workloads')
            [CompletionResult]::new('--fail-on-empty', '--fail-on-empty', [CompletionResultType]::ParameterName, 'Fail (exit 2) when the input holds no documents, instead of warning: an empty output can make a GitOps tool prune everything it manages')
            [CompletionResult]::new('--normalize', '--normalize', [CompletionResultType]::ParameterName, 'Compare against the normalised (re-serialised) output')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing: only the exit status tells whether something would change (like `git diff --quiet`)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing: only the exit status tells whether something would change (like `git diff --quiet`)')
            [CompletionResult]::new('--exit-code', '--exit-code', [CompletionResultType]::ParameterName, 'Print nothing: only the exit status tells whether something would change (like `git diff --quiet`)')
            [CompletionResult]::new('--in-place', '--in-place', [CompletionResultType]::ParameterName, 'Not an option of diff (it never writes files); accepted only to say so')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubeopencode-inject;check' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin')
            [CompletionResult]::new('--filename', '--filename', [CompletionResultType]::ParameterName, 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Namespace for objects that do not set metadata.namespace')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Namespace for objects that do not set metadata.namespace')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)')
            [CompletionResult]::new('--container', '--container', [CompletionResultType]::ParameterName, 'Inject into exactly these containers (regular or init). Repeatable')
            [CompletionResult]::new('--agent', '--agent', [CompletionResultType]::ParameterName, 'Agent name for workloads whose Task or labels do not tell it')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--max-depth', '--max-depth', [CompletionResultType]::ParameterName, 'Maximum nesting depth of a document')
            [CompletionResult]::new('--max-nodes', '--max-nodes', [CompletionResultType]::ParameterName, 'Maximum number of nodes aliases may expand to in one document')
            [CompletionResult]::new('--max-document-size', '--max-document-size', [CompletionResultType]::ParameterName, 'Maximum size of one document, in MiB')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the findings')
            [CompletionResult]::new('-R', '-R ', [CompletionResultType]::ParameterName, 'Read directories recursively (in a stable, sorted order)')
            [CompletionResult]::new('--recursive', '--recursive', [CompletionResultType]::ParameterName, 'Read directories recursively (in a stable, sorted order)')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Select every pod-bearing workload, not only KubeOpenCode agent workloads')
            [CompletionResult]::new('--fail-on-empty', '--fail-on-empty', [CompletionResultType]::ParameterName, 'Fail (exit 2) when the input holds no documents, instead of warning: an empty output can make a GitOps tool prune everything it manages')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat warnings as failures (exit 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the findings that fail the run, and no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the findings that fail the run, and no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubeopencode-inject;validate' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'The KubeOpenCodeConfig to validate (YAML or JSON; `-` for stdin)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'The KubeOpenCodeConfig to validate (YAML or JSON; `-` for stdin)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format of the findings')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Treat warnings as failures (exit 1)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the findings that fail the run, and no summary')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the findings that fail the run, and no summary')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'kubeopencode-inject;install-kustomize-plugin' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'The config home holding `kustomize/plugin` (default: $XDG_CONFIG_HOME, else ~/.config). $KUSTOMIZE_PLUGIN_HOME, when set and --dir is not given, is used as the plugin directory itself')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubeopencode-inject;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'kubeopencode-inject;help' {
            [CompletionResult]::new('inject', 'inject', [CompletionResultType]::ParameterValue, 'Inject the OTel settings and write the manifests (the default command)')
            [CompletionResult]::new('diff', 'diff', [CompletionResultType]::ParameterValue, 'Show what injection would change, as a unified diff per resource (exit 1 when it would change something)')
            [CompletionResult]::new('check', 'check', [CompletionResultType]::ParameterValue, 'CI gate: validate the config, lint the stream, and report drift (exit 1 on findings)')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Validate a KubeOpenCodeConfig alone: the CRD rules, then the lints')
            [CompletionResult]::new('install-kustomize-plugin', 'install-kustomize-plugin', [CompletionResultType]::ParameterValue, 'Install this binary as kustomize''s exec plugin for `kind: KubeOpenCodeConfig` transformers (a symlink named `KubeOpenCodeConfig` under the kustomize plugin directory)')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'kubeopencode-inject;help;inject' {
            break
        }
        'kubeopencode-inject;help;diff' {
            break
        }
        'kubeopencode-inject;help;check' {
            break
        }
        'kubeopencode-inject;help;validate' {
            break
        }
        'kubeopencode-inject;help;install-kustomize-plugin' {
            break
        }
        'kubeopencode-inject;help;completions' {
            break
        }
        'kubeopencode-inject;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
