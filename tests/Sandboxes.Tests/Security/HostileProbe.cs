using System.Globalization;
using System.Runtime.InteropServices;

namespace Sandboxes.Tests.Security;

/// <summary>
/// What a hostile program inside a sandbox tries against the host: writing the kernel's global settings, reaching the
/// kernel's memory and addresses, the system calls Docker's default profile refuses, making mounts and namespaces,
/// tracing or signalling a host process, and leaving through <c>/proc/1/root</c>, <c>/proc/self/root</c> and inherited
/// descriptors. One shell script (python3 for raw system calls) prints <c>name: ALLOWED</c> or <c>name: refused</c>
/// per attempt, and a few facts (<c>uid</c>, <c>uid_map</c>, <c>CapBnd</c>, <c>Seccomp</c>, <c>fd</c> lines).
/// </summary>
/// <remarks>
/// Every attempt is harmless if it succeeds: the kernel setting is written back with the value it had, drop_caches
/// only drops clean caches, sysrq is sent 'h' (print help), and system calls get arguments the kernel refuses (null
/// pointers, zero magic numbers) once past the permission checks. A success is still a finding.
/// </remarks>
public static class HostileProbe
{
    /// <summary>The script; <c>$1</c> is a host pid to attack, <c>$2</c> a host file that must stay unreadable.</summary>
    public const string Script = """
        host_pid=$1 host_file=$2
        attempt() { name=$1; shift; if "$@" >/dev/null 2>&1; then echo "$name: ALLOWED"; else echo "$name: refused"; fi; }
        nonempty() { [ -n "$(cat "$1" 2>/dev/null | head -c 64)" ]; }
        cp=$(cat /proc/sys/kernel/core_pattern 2>/dev/null)
        attempt sysctl-core_pattern sh -c 'printf "%s\n" "$1" > /proc/sys/kernel/core_pattern' _ "$cp"
        mp=$(cat /proc/sys/kernel/modprobe 2>/dev/null)
        attempt sysctl-modprobe sh -c 'printf "%s\n" "$1" > /proc/sys/kernel/modprobe' _ "$mp"
        attempt sysctl-drop_caches sh -c 'echo 1 > /proc/sys/vm/drop_caches'
        fw=$(cat /proc/sys/net/ipv4/ip_forward 2>/dev/null)
        attempt sysctl-net sh -c 'echo "$1" > /proc/sys/net/ipv4/ip_forward' _ "$fw"
        [ -e /proc/sysrq-trigger ] && attempt sysrq-trigger sh -c 'echo h > /proc/sysrq-trigger'
        attempt read-kallsyms-addresses sh -c "awk '\$1 != \"0000000000000000\" { found = 1 } END { exit !found }' /proc/kallsyms"
        [ -e /proc/kcore ] && attempt read-kcore sh -c 'head -c 1 /proc/kcore | wc -c | grep -q 1'
        attempt read-keys nonempty /proc/keys
        attempt read-timer_list nonempty /proc/timer_list
        attempt mount mount -t tmpfs none /tmp
        attempt unshare-user unshare -U true
        attempt unshare-mount unshare -m true
        attempt unshare-net unshare -n true
        attempt signal-host-process kill -0 "$host_pid"
        attempt proc-1-root-host-file cat "/proc/1/root$host_file"
        attempt proc-self-root-host-file cat "/proc/self/root/../../..$host_file"
        attempt host-file cat "$host_file"
        python3 - "$host_pid" <<'PY'
        import ctypes, os, platform, sys
        libc = ctypes.CDLL(None, use_errno=True)
        libc.syscall.restype = ctypes.c_long
        host_pid = int(sys.argv[1])
        x64 = platform.machine() in ("x86_64", "AMD64")
        # name: (x86-64, arm64, arguments); every argument set fails once past the permission check.
        calls = {
            "kexec_load": (246, 104, (0, 0, 0, 0)), "init_module": (175, 105, (0, 0, 0)), "finit_module": (313, 273, (-1, 0, 0)),
            "delete_module": (176, 106, (0, 0)), "bpf": (321, 280, (0, 0, 0)), "perf_event_open": (298, 241, (0, 0, -1, -1, 0)),
            "keyctl": (250, 219, (0, 0, 0, 0, 0)), "add_key": (248, 217, (0, 0, 0, 0, 0)), "request_key": (249, 218, (0, 0, 0, 0)),
            "userfaultfd": (323, 282, (0x7fffffff,)), "io_uring_setup": (425, 425, (0, 0)), "mount": (165, 40, (0, 0, 0, 0, 0)),
            "umount2": (166, 39, (0, 0)), "pivot_root": (155, 41, (0, 0)), "setns": (308, 268, (-1, 0)), "unshare": (272, 97, (0x10000000,)),
            "open_tree": (428, 428, (-1, 0, 0)), "fsopen": (430, 430, (0, 0)), "move_mount": (429, 429, (-1, 0, -1, 0, 0)),
            "reboot": (169, 142, (0, 0, 0, 0)), "swapon": (167, 224, (0, 0)), "acct": (163, 89, (0,)),
            "settimeofday": (164, 170, (0, 0)), "clock_settime": (227, 112, (0, 0)), "open_by_handle_at": (304, 265, (-1, 0, 0)),
            "process_vm_readv": (310, 270, (host_pid, 0, 0, 0, 0, 0)), "syslog": (103, 116, (3, 0, 0)),
        }
        for name, (n64, narm, args) in sorted(calls.items()):
            r = libc.syscall(n64 if x64 else narm, *[ctypes.c_long(a) for a in args])
            e = ctypes.get_errno()
            print(f"syscall-{name}: {'refused' if r == -1 and e == 1 else 'ALLOWED (errno %d)' % e if r == -1 else 'ALLOWED'}")
        # clone with a namespace flag: refused by the filter; if it were not, the child leaves at once.
        r = libc.syscall(56 if x64 else 220, ctypes.c_long(0x10000000 | 17), 0, 0, 0, 0)
        if r == 0:
            os._exit(0)
        print(f"syscall-clone-newuser: {'refused' if r == -1 else 'ALLOWED'}")
        if r > 0:
            os.waitpid(r, 0)
        r = libc.syscall(101, ctypes.c_long(16), ctypes.c_long(host_pid), 0, 0) if x64 else libc.syscall(117, ctypes.c_long(16), ctypes.c_long(host_pid), 0, 0)
        print(f"ptrace-host-process: {'refused' if r == -1 else 'ALLOWED'}")
        PY
        echo "uid: $(id -u)"
        echo "uid_map: $(cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //')"
        grep -E '^(CapBnd|CapEff|Seccomp|NoNewPrivs):' /proc/self/status | tr -d '\t' | sed 's/:/: /'
        for fd in /proc/self/fd/*; do echo "fd: ${fd##*/} -> $(readlink "$fd")"; done
        """;

    /// <summary>The probe's lines as name to result.</summary>
    public static Dictionary<string, string> Parse(string output)
    {
        var results = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n'))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0 && !line.StartsWith("fd: ", StringComparison.Ordinal))
            {
                results[line[..colon]] = line[(colon + 2)..].Trim();
            }
        }

        return results;
    }

    /// <summary>The attempts that were not refused.</summary>
    public static List<string> Allowed(Dictionary<string, string> results) =>
        results.Where(r => r.Value.StartsWith("ALLOWED", StringComparison.Ordinal)).Select(r => $"{r.Key}: {r.Value}").ToList();

    /// <summary>The descriptors the probe's shell had open, as <c>N -> target</c>.</summary>
    public static List<string> Descriptors(string output) =>
        output.Split('\n').Where(l => l.StartsWith("fd: ", StringComparison.Ordinal)).Select(l => l[4..]).ToList();

    /// <summary>The capability bounding set the probe reported.</summary>
    public static ulong BoundingSet(Dictionary<string, string> results) =>
        ulong.Parse(results["CapBnd"], NumberStyles.HexNumber, CultureInfo.InvariantCulture);

    /// <summary>True on the architectures whose system-call numbers the probe knows.</summary>
    public static bool KnowsThisArchitecture =>
        RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;
}
