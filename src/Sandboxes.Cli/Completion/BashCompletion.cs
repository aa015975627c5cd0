using System.Text;

namespace Sandboxes.Cli.Completion;

/// <summary>
/// Writes the bash completion script: verbs, each verb's options, option values (providers, presets, files), and
/// sandbox ids for arguments named <c>id</c>, asked of the tool itself (<c>sandboxes list -q</c>) at completion time.
/// </summary>
internal static class BashCompletion
{
    /// <summary>The script; <c>source &lt;(sandboxes completion bash)</c> loads it.</summary>
    public static string Generate(CompletionModel model)
    {
        var s = new StringBuilder();
        s.Append("""
            # bash completion for sandboxes. Load it with:  source <(sandboxes completion bash)
            # or install it:  sandboxes completion bash > ~/.local/share/bash-completion/completions/sandboxes
            _sandboxes_ids() {
                # Ask the same tool that is being completed (a path, an alias or a function all work).
                COMPREPLY=($(compgen -W "$("${COMP_WORDS[0]}" list -q 2>/dev/null)" -- "$cur"))
            }

            _sandboxes() {
                local cur prev verb verb_at i
                cur="${COMP_WORDS[COMP_CWORD]}"
                prev="${COMP_WORDS[COMP_CWORD-1]}"
                verb=""
                for ((i = 1; i < COMP_CWORD; i++)); do
                    case "${COMP_WORDS[i]}" in
                        -*) ;;
                        *) verb="${COMP_WORDS[i]}"; verb_at=$i; break ;;
                    esac
                done

            """);
        s.Append("    if [ -z \"$verb\" ]; then\n");
        s.Append("        COMPREPLY=($(compgen -W \"").Append(Words(model.Verbs.Select(v => v.Name).Concat(model.RootOptions))).Append("\" -- \"$cur\"))\n");
        s.Append("        return\n    fi\n\n    case \"$verb\" in\n");
        foreach (var verb in model.Verbs)
        {
            s.Append("        ").Append(verb.Name).Append(")\n");
            AppendVerb(s, verb);
            s.Append("            ;;\n");
        }

        s.Append("    esac\n}\n\ncomplete -o default -F _sandboxes sandboxes\n");
        return s.ToString();
    }

    private static void AppendVerb(StringBuilder s, CompletionModel.Verb verb)
    {
        var valued = verb.Options.Where(o => o.Takes is not null).ToList();
        if (valued.Count > 0)
        {
            s.Append("            case \"$prev\" in\n");
            foreach (var option in valued)
            {
                s.Append("                ").Append(string.Join('|', option.Names)).Append(") ").Append(Complete(option.Takes!)).Append("; return ;;\n");
            }

            s.Append("            esac\n");
        }

        var options = verb.Options.SelectMany(o => o.Names).Append("--help").Append("-h");
        s.Append("            if [[ \"$cur\" == -* ]]; then\n");
        s.Append("                COMPREPLY=($(compgen -W \"").Append(Words(options)).Append("\" -- \"$cur\"))\n");
        s.Append("                return\n            fi\n");
        if (verb.Arguments.Count == 0)
        {
            s.Append("            COMPREPLY=()\n");
            return;
        }

        // Which positional argument is being typed: count the words after the verb that are neither options nor their values.
        var takesValue = valued.SelectMany(o => o.Names).ToList();
        s.Append("            local n=0 skip=0\n");
        s.Append("            for ((i = verb_at + 1; i < COMP_CWORD; i++)); do\n");
        s.Append("                if ((skip)); then skip=0; continue; fi\n");
        s.Append("                case \"${COMP_WORDS[i]}\" in\n");
        if (takesValue.Count > 0)
        {
            s.Append("                    ").Append(string.Join('|', takesValue)).Append(") skip=1 ;;\n");
        }

        s.Append("                    -*) ;;\n                    *) n=$((n + 1)) ;;\n                esac\n            done\n");
        s.Append("            case $n in\n");
        for (var i = 0; i < verb.Arguments.Count; i++)
        {
            var argument = verb.Arguments[i];
            var last = argument.Many || i == verb.Arguments.Count - 1;
            s.Append("                ").Append(last ? "*" : i.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Append(") ").Append(Complete(argument.Completes)).Append(" ;;\n");
            if (last)
            {
                break;
            }
        }

        s.Append("            esac\n");
    }

    private static string Complete(CompletionModel.Value value) => value.Kind switch
    {
        CompletionModel.ValueKind.Choices => $"COMPREPLY=($(compgen -W \"{Words(value.Choices)}\" -- \"$cur\"))",
        CompletionModel.ValueKind.File => "COMPREPLY=($(compgen -f -- \"$cur\"))",
        CompletionModel.ValueKind.SandboxId => "_sandboxes_ids",
        _ => "COMPREPLY=()",
    };

    // Words reach compgen -W inside double quotes: keep only characters that need no quoting there.
    private static string Words(IEnumerable<string> words) =>
        string.Join(' ', words.Where(w => w.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or ':')).Distinct(StringComparer.Ordinal));
}
