using System.Text;
using System.Text.RegularExpressions;
using Sandboxes.Isolation;

namespace Sandboxes.CodeExecution;

/// <summary>
/// How one language runs inside a sandbox through its shell: which programs provide it, the script of a one-off run
/// (code arrives on stdin and is written to a temporary file), and, where the language has a driver, the script that
/// starts a persistent context. Every script first looks for the runtime and reports its absence with a control line,
/// so a missing runtime is told apart from code that fails.
/// </summary>
internal sealed partial class LanguageRuntime
{
    private readonly Func<string, string> _run;
    private readonly Func<string, string>? _context;

    private LanguageRuntime(CodeLanguage language, string extension, IReadOnlyList<string> programs, Func<string, string> run,
        Func<string, string>? context)
    {
        Language = language;
        Extension = extension;
        Programs = programs;
        _run = run;
        _context = context;
    }

    /// <summary>The language.</summary>
    public CodeLanguage Language { get; }

    /// <summary>The source file's extension, dot included (empty for an interpreter named by the caller).</summary>
    public string Extension { get; }

    /// <summary>The programs that can run it, in the order they are looked for.</summary>
    public IReadOnlyList<string> Programs { get; }

    /// <summary>What a missing runtime message names: the programs, and for TypeScript its compiler package.</summary>
    public IReadOnlyList<string> Searched => Language == CodeLanguage.TypeScript ? [.. Programs, "the typescript package (tsc)"] : Programs;

    /// <summary>True when the language has persistent contexts.</summary>
    public bool HasContexts => _context is not null;

    /// <summary>The languages that have persistent contexts.</summary>
    public static IReadOnlyList<CodeLanguage> ContextLanguages { get; } =
        [CodeLanguage.Python, CodeLanguage.JavaScript, CodeLanguage.TypeScript, CodeLanguage.Bash, CodeLanguage.Ruby];

    /// <summary>The runtime of <paramref name="language"/>; any other name is an interpreter run as <c>NAME FILE</c>.</summary>
    /// <exception cref="BadConfigException">The name is not a plain program name.</exception>
    public static LanguageRuntime For(CodeLanguage language, string provider)
    {
        return language.Id switch
        {
            "python" => new(language, ".py", ["python3", "python"],
                file => $"\"$__x\" -u -c {Q(DriverScripts.Python)} once \"$__n\" \"{file}\" </dev/null",
                _ => $"exec \"$__x\" -u -c {Q(DriverScripts.Python)} context \"$__n\""),
            "javascript" => Node(language, ".js"),
            "typescript" => Node(language, ".ts"),
            "ruby" => new(language, ".rb", ["ruby"],
                file => $"\"$__x\" -e {Q(DriverScripts.Ruby)} once \"$__n\" \"{file}\" </dev/null",
                _ => $"exec \"$__x\" -e {Q(DriverScripts.Ruby)} context \"$__n\""),
            "bash" => new(language, ".sh", ["bash"],
                file => $"\"$__x\" \"{file}\" </dev/null",
                _ => $"exec \"$__x\" -c {Q(DriverScripts.Bash)} sandboxes-bash context \"$__n\""),
            "go" => Compiled(language, ".go", "go", file =>
                "export GOCACHE=\"${GOCACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/go-build}\" CGO_ENABLED=${CGO_ENABLED:-0}\n" +
                $"\"$__x\" build -o \"$__d/main\" \"{file}\""),
            "rust" => Compiled(language, ".rs", "rustc", file => $"\"$__x\" --edition 2021 -O -o \"$__d/main\" \"{file}\""),
            _ when ProgramName().IsMatch(language.Id) => new(language, string.Empty, [language.Id],
                file => $"\"$__x\" \"{file}\" </dev/null", null),
            _ => throw new BadConfigException(provider,
                $"'{language.Id}' is neither a known language ({string.Join(", ", CodeLanguage.WellKnown)}) nor a program name."),
        };
    }

    /// <summary>The shell script of a one-off run: the code is its stdin.</summary>
    public string OnceScript(string nonce)
    {
        var script = new StringBuilder(Prologue(nonce));
        script.Append("__d=$(mktemp -d 2>/dev/null) || { __d=/tmp/sbx-run-$__n; mkdir -p \"$__d\" || exit 126; }\n");
        script.Append("trap 'rm -rf \"$__d\"' EXIT\n");
        script.Append("cat > \"$__d/main").Append(Extension).Append("\" || exit 126\n");
        script.Append(_run("$__d/main" + Extension)).Append('\n');
        return script.ToString();
    }

    /// <summary>The shell script that starts a context's interpreter, which then reads requests from stdin.</summary>
    public string ContextScript(string nonce) =>
        Prologue(nonce) + (_context ?? throw new InvalidOperationException(Language.Id + " has no contexts."))(nonce) + "\n";

    private string Prologue(string nonce)
    {
        var script = new StringBuilder();
        script.Append("__n=").Append(nonce).Append('\n');
        script.Append("__missing() { printf '\\037sbx:%s {\"t\":\"missing\"}\\n' \"$__n\"; printf '\\037sbx:%s {\"t\":\"missing\"}\\n' \"$__n\" >&2; exit 127; }\n");
        script.Append("__find() { for __c in \"$@\"; do if command -v \"$__c\" >/dev/null 2>&1; then __x=$__c; return 0; fi; done; return 1; }\n");
        script.Append("__find");
        foreach (var program in Programs)
        {
            script.Append(' ').Append(program);
        }

        script.Append(" || __missing\n");
        return script.ToString();
    }

    private static LanguageRuntime Node(CodeLanguage language, string extension)
    {
        var driver = Q(DriverScripts.Node);
        return new(language, extension, ["node", "nodejs"],
            file => $"\"$__x\" -e {driver} -- once \"$__n\" {language.Id} \"{file}\" </dev/null",
            _ => $"exec \"$__x\" -e {driver} -- context \"$__n\" {language.Id}");
    }

    private static LanguageRuntime Compiled(CodeLanguage language, string extension, string compiler, Func<string, string> build) =>
        new(language, extension, [compiler], file =>
            "if ! { " + build(file) + "; } >\"$__d/build.log\" 2>&1; then cat \"$__d/build.log\" >&2; " +
            "printf '\\037sbx:%s {\"t\":\"compile_error\"}\\n' \"$__n\" >&2; exit 1; fi\n" +
            "\"$__d/main\" </dev/null",
            null);

    private static string Q(string text) => ShellQuote.Quote(text);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._+-]*\z")]
    private static partial Regex ProgramName();
}
