# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_kubeopencode_inject_global_optspecs
    string join \n c/config= f/filename= R/recursive n/namespace= all l/selector= container= agent= color= fail-on-empty max-depth= max-nodes= max-document-size= o/output= in-place q/quiet normalize h/help V/version
end

function __fish_kubeopencode_inject_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_kubeopencode_inject_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_kubeopencode_inject_using_subcommand
    set -l cmd (__fish_kubeopencode_inject_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -s c -l config -d 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)' -r -F
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -s f -l filename -d 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin' -r -F
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -s n -l namespace -d 'Namespace for objects that do not set metadata.namespace' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -s l -l selector -d 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -l container -d 'Inject into exactly these containers (regular or init). Repeatable' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -l agent -d 'Agent name for workloads whose Task or labels do not tell it' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -l max-depth -d 'Maximum nesting depth of a document' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -l max-nodes -d 'Maximum number of nodes aliases may expand to in one document' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -l max-document-size -d 'Maximum size of one document, in MiB' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -s o -l output -d 'Output format' -r -f -a "yaml\t'The input stream, edited in place (documents in input order, separated by ---)'
json\t'JSON: the object itself for one document, a `v1 List` of all documents otherwise'"
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -s R -l recursive -d 'Read directories recursively (in a stable, sorted order)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -l all -d 'Select every pod-bearing workload, not only KubeOpenCode agent workloads'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -l fail-on-empty -d 'Fail (exit 2) when the input holds no documents, instead of warning: an empty output can make a GitOps tool prune everything it manages'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -l in-place -d 'Rewrite the input files (atomically; only files that change; never stdin)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -s q -l quiet -d 'Do not print the per-resource report or the warnings on stderr (errors still are)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -l normalize -d 'Re-serialise every document (canonical YAML) instead of editing the text in place'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -s V -l version -d 'Print version'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -a "inject" -d 'Inject the OTel settings and write the manifests (the default command)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -a "diff" -d 'Show what injection would change, as a unified diff per resource (exit 1 when it would change something)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -a "check" -d 'CI gate: validate the config, lint the stream, and report drift (exit 1 on findings)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -a "validate" -d 'Validate a KubeOpenCodeConfig alone: the CRD rules, then the lints'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -a "install-kustomize-plugin" -d 'Install this binary as kustomize\'s exec plugin for `kind: KubeOpenCodeConfig` transformers (a symlink named `KubeOpenCodeConfig` under the kustomize plugin directory)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -a "completions" -d 'Print a shell completion script'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_needs_command" -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -s c -l config -d 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)' -r -F
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -s f -l filename -d 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin' -r -F
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -s n -l namespace -d 'Namespace for objects that do not set metadata.namespace' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -s l -l selector -d 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -l container -d 'Inject into exactly these containers (regular or init). Repeatable' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -l agent -d 'Agent name for workloads whose Task or labels do not tell it' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -l max-depth -d 'Maximum nesting depth of a document' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -l max-nodes -d 'Maximum number of nodes aliases may expand to in one document' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -l max-document-size -d 'Maximum size of one document, in MiB' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -s o -l output -d 'Output format' -r -f -a "yaml\t'The input stream, edited in place (documents in input order, separated by ---)'
json\t'JSON: the object itself for one document, a `v1 List` of all documents otherwise'"
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -s R -l recursive -d 'Read directories recursively (in a stable, sorted order)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -l all -d 'Select every pod-bearing workload, not only KubeOpenCode agent workloads'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -l fail-on-empty -d 'Fail (exit 2) when the input holds no documents, instead of warning: an empty output can make a GitOps tool prune everything it manages'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -l in-place -d 'Rewrite the input files (atomically; only files that change; never stdin)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -s q -l quiet -d 'Do not print the per-resource report or the warnings on stderr (errors still are)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -l normalize -d 'Re-serialise every document (canonical YAML) instead of editing the text in place'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand inject" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -s c -l config -d 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)' -r -F
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -s f -l filename -d 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin' -r -F
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -s n -l namespace -d 'Namespace for objects that do not set metadata.namespace' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -s l -l selector -d 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -l container -d 'Inject into exactly these containers (regular or init). Repeatable' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -l agent -d 'Agent name for workloads whose Task or labels do not tell it' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -l max-depth -d 'Maximum nesting depth of a document' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -l max-nodes -d 'Maximum number of nodes aliases may expand to in one document' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -l max-document-size -d 'Maximum size of one document, in MiB' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -s R -l recursive -d 'Read directories recursively (in a stable, sorted order)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -l all -d 'Select every pod-bearing workload, not only KubeOpenCode agent workloads'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -l fail-on-empty -d 'Fail (exit 2) when the input holds no documents, instead of warning: an empty output can make a GitOps tool prune everything it manages'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -l normalize -d 'Compare against the normalised (re-serialised) output'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -s q -l quiet -l exit-code -d 'Print nothing: only the exit status tells whether something would change (like `git diff --quiet`)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -l in-place -d 'Not an option of diff (it never writes files); accepted only to say so'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand diff" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -s c -l config -d 'The KubeOpenCodeConfig (YAML or JSON; `-` for stdin). Without it, the single KubeOpenCodeConfig document in the input is used (and passed through unchanged)' -r -F
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -s f -l filename -d 'A manifest file, a directory of *.yaml/*.yml/*.json files, or `-` for stdin. Repeatable. Without -f, manifests are read from stdin' -r -F
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -s n -l namespace -d 'Namespace for objects that do not set metadata.namespace' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -s l -l selector -d 'Select workloads by label (kubectl syntax: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -l container -d 'Inject into exactly these containers (regular or init). Repeatable' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -l agent -d 'Agent name for workloads whose Task or labels do not tell it' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -l max-depth -d 'Maximum nesting depth of a document' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -l max-nodes -d 'Maximum number of nodes aliases may expand to in one document' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -l max-document-size -d 'Maximum size of one document, in MiB' -r
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -l format -d 'Output format of the findings' -r -f -a "human\t'For people: located messages with the snippet underlined'
json\t'A stable JSON document (see docs/check.md)'
github\t'GitHub Actions workflow commands (`::error file=…,line=…::…`)'
sarif\t'SARIF 2.1.0, for GitHub code scanning (upload-sarif) and other SARIF viewers'"
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -s R -l recursive -d 'Read directories recursively (in a stable, sorted order)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -l all -d 'Select every pod-bearing workload, not only KubeOpenCode agent workloads'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -l fail-on-empty -d 'Fail (exit 2) when the input holds no documents, instead of warning: an empty output can make a GitOps tool prune everything it manages'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -l strict -d 'Treat warnings as failures (exit 1)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -s q -l quiet -d 'Print only the findings that fail the run, and no summary'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand check" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand validate" -s c -l config -d 'The KubeOpenCodeConfig to validate (YAML or JSON; `-` for stdin)' -r -F
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand validate" -l format -d 'Output format of the findings' -r -f -a "human\t'For people: located messages with the snippet underlined'
json\t'A stable JSON document (see docs/check.md)'
github\t'GitHub Actions workflow commands (`::error file=…,line=…::…`)'
sarif\t'SARIF 2.1.0, for GitHub code scanning (upload-sarif) and other SARIF viewers'"
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand validate" -l color -d 'When to use colour' -r -f -a "auto\t''
always\t''
never\t''"
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand validate" -l strict -d 'Treat warnings as failures (exit 1)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand validate" -s q -l quiet -d 'Print only the findings that fail the run, and no summary'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand install-kustomize-plugin" -l dir -d 'The config home holding `kustomize/plugin` (default: $XDG_CONFIG_HOME, else ~/.config). $KUSTOMIZE_PLUGIN_HOME, when set and --dir is not given, is used as the plugin directory itself' -r -F
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand install-kustomize-plugin" -s h -l help -d 'Print help'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand completions" -s h -l help -d 'Print help'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand help; and not __fish_seen_subcommand_from inject diff check validate install-kustomize-plugin completions help" -f -a "inject" -d 'Inject the OTel settings and write the manifests (the default command)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand help; and not __fish_seen_subcommand_from inject diff check validate install-kustomize-plugin completions help" -f -a "diff" -d 'Show what injection would change, as a unified diff per resource (exit 1 when it would change something)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand help; and not __fish_seen_subcommand_from inject diff check validate install-kustomize-plugin completions help" -f -a "check" -d 'CI gate: validate the config, lint the stream, and report drift (exit 1 on findings)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand help; and not __fish_seen_subcommand_from inject diff check validate install-kustomize-plugin completions help" -f -a "validate" -d 'Validate a KubeOpenCodeConfig alone: the CRD rules, then the lints'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand help; and not __fish_seen_subcommand_from inject diff check validate install-kustomize-plugin completions help" -f -a "install-kustomize-plugin" -d 'Install this binary as kustomize\'s exec plugin for `kind: KubeOpenCodeConfig` transformers (a symlink named `KubeOpenCodeConfig` under the kustomize plugin directory)'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand help; and not __fish_seen_subcommand_from inject diff check validate install-kustomize-plugin completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c kubeopencode-inject -n "__fish_kubeopencode_inject_using_subcommand help; and not __fish_seen_subcommand_from inject diff check validate install-kustomize-plugin completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
