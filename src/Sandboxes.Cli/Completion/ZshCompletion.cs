using System.Globalization;
using System.Text;

namespace Sandboxes.Cli.Completion;

/// <summary>
/// Writes the zsh completion script (<c>_arguments</c> specs with descriptions): verbs, options, option values, and
/// sandbox ids asked of the tool itself (<c>sandboxes list -q</c>) at completion time.
/// </summary>
internal static class ZshCompletion
{
    /// <summary>The script; <c>source &lt;(sandboxes completion zsh)</c> after compinit loads it, or save it as _sandboxes in $fpath.</summary>
    public static string Generate(CompletionModel model)
    {
        var s = new StringBuilder();
        s.Append("""
            #compdef sandboxes
            # zsh completion for sandboxes. Load it with:  source <(sandboxes completion zsh)   (after compinit)
            # or install it:  sandboxes completion zsh > "${fpath[1]}/_sandboxes"

            _sandboxes_ids() {
                local -a ids
                # Ask the same tool that is being completed (a path, an alias or a function all work).
                ids=(${(f)"$(${_sandboxes_cmd:-sandboxes} list -q 2>/dev/null)"})
                compadd -a ids
            }

            _sandboxes() {
                local _sandboxes_cmd=${words[1]}
                local -a verbs
                verbs=(

            """);
        foreach (var verb in model.Verbs)
        {
            s.Append("        ").Append(Quote(verb.Name + ":" + verb.Description)).Append('\n');
        }

        s.Append("""
                )
                if (( CURRENT == 2 )); then
                    _describe -t commands 'sandboxes command' verbs
                    return
                fi
                local verb=${words[2]}
                shift words
                (( CURRENT -= 1 ))
                case $verb in

            """);
        foreach (var verb in model.Verbs)
        {
            s.Append("        ").Append(verb.Name).Append(")\n            _arguments -s -S \\\n");
            foreach (var option in verb.Options)
            {
                s.Append("                ").Append(OptionSpec(option)).Append(" \\\n");
            }

            s.Append("                '(- *)'{-h,--help}'[Show help and usage information]'");
            for (var i = 0; i < verb.Arguments.Count; i++)
            {
                var argument = verb.Arguments[i];
                var position = argument.Many ? "*" : (i + 1).ToString(CultureInfo.InvariantCulture);
                s.Append(" \\\n                ").Append(Quote($"{position}:{Clean(argument.Name)}:{Action(argument.Completes, positional: true)}"));
            }

            s.Append("\n            ;;\n");
        }

        s.Append("""
                esac
            }

            if [[ ${zsh_eval_context[-1]} == loadautofunc ]]; then
                _sandboxes "$@"
            else
                compdef _sandboxes sandboxes
            fi

            """);
        return s.ToString();
    }

    private static string OptionSpec(CompletionModel.Flag option)
    {
        var description = "[" + Clean(option.Description) + "]";
        var value = option.Takes is { } takes ? ":" + Clean(option.Names[0].TrimStart('-')) + ":" + Action(takes) : string.Empty;
        var names = option.Names.Count == 1 ? option.Names[0] : "{" + string.Join(',', option.Names) + "}";
        if (option.Repeatable)
        {
            return "'*'" + names + Quote(description + value);
        }

        var exclusions = "(" + string.Join(' ', option.Names) + ")";
        return option.Names.Count == 1 ? Quote(exclusions + option.Names[0] + description + value) : Quote(exclusions) + names + Quote(description + value);
    }

    // A free positional offers files (as bash's -o default does): an empty action there would make _arguments list a
    // unique option match instead of inserting it.
    private static string Action(CompletionModel.Value value, bool positional = false) => value.Kind switch
    {
        CompletionModel.ValueKind.Choices => "(" + string.Join(' ', value.Choices.Select(Clean)) + ")",
        CompletionModel.ValueKind.File => "_files",
        CompletionModel.ValueKind.SandboxId => "_sandboxes_ids",
        _ => positional ? "_default" : " ",
    };

    // Inside an _arguments spec, brackets end the description and colons separate fields; quotes end the shell word.
    private static string Clean(string text) => new(text.Replace('[', '(').Replace(']', ')').Replace(":", " -", StringComparison.Ordinal)
        .Where(c => c is not '\\').ToArray());

    private static string Quote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
