using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Sandboxes.Isolation;

/// <summary>
/// The system-call filter every jail runs under: a classic BPF program for seccomp, loaded by bubblewrap
/// (<c>--seccomp</c>) just before the jail's first program starts, and inherited by everything it starts.
/// </summary>
/// <remarks>
/// It refuses, with EPERM, what Docker's default profile refuses: loading kernel code or modules, rebooting, setting
/// clocks, keyrings, BPF, perf events, userfaultfd, io_uring, handles to arbitrary inodes, swap, quotas, accounting,
/// raw I/O ports, NUMA memory policy of other processes, reading or writing another process's memory by pid, and every
/// way to make mounts or namespaces (mount and the new mount API, pivot_root, unshare, setns, clone with a namespace
/// flag; clone3 answers ENOSYS so that the C library falls back to clone, whose flags a filter can read). personality
/// is allowed only with the values Docker allows. Calls of another architecture's ABI (i386 through int 0x80, x32)
/// are refused wholesale, since their numbers differ. ptrace stays allowed, as in Docker on kernels since 4.8: the
/// pid namespace leaves nothing outside the jail to trace.
/// </remarks>
internal static class SeccompFilter
{
    private const uint RetAllow = 0x7fff0000;
    private const uint RetErrno = 0x00050000;
    private const uint EPERM = 1;
    private const uint ENOSYS = 38;

    // BPF opcodes.
    private const ushort LdWAbs = 0x20;
    private const ushort JeqK = 0x15;
    private const ushort JgeK = 0x35;
    private const ushort JsetK = 0x45;
    private const ushort RetK = 0x06;

    // struct seccomp_data: nr, arch, instruction pointer, then six 64-bit arguments (little-endian here).
    private const uint NrOffset = 0;
    private const uint ArchOffset = 4;
    private const uint Arg0LowOffset = 16;

    /// <summary>clone flags that make a namespace: NEWNS, NEWCGROUP, NEWUTS, NEWIPC, NEWUSER, NEWPID, NEWNET.</summary>
    private const uint NamespaceFlags = 0x00020000 | 0x02000000 | 0x04000000 | 0x08000000 | 0x10000000 | 0x20000000 | 0x40000000;

    /// <summary>The personalities Docker's profile allows: the default, UNAME26, READ_IMPLIES_EXEC and both, and a query.</summary>
    private static readonly uint[] AllowedPersonalities = [0x0, 0x0008, 0x20000, 0x20008, 0xffffffff];

    /// <summary>The refused calls by name (the documentation of the filter), with their x86-64 and arm64 numbers (-1: none there).</summary>
    internal static readonly (string Name, int X64, int Arm64)[] Refused =
    [
        ("acct", 163, 89), ("add_key", 248, 217), ("bpf", 321, 280), ("clock_adjtime", 305, 266), ("clock_settime", 227, 112),
        ("create_module", 174, -1), ("delete_module", 176, 106), ("finit_module", 313, 273), ("get_kernel_syms", 177, -1),
        ("get_mempolicy", 239, 236), ("init_module", 175, 105), ("ioperm", 173, -1), ("iopl", 172, -1), ("kcmp", 312, 272),
        ("kexec_file_load", 320, 294), ("kexec_load", 246, 104), ("keyctl", 250, 219), ("lookup_dcookie", 212, 18),
        ("mbind", 237, 235), ("mount", 165, 40), ("move_pages", 279, 239), ("name_to_handle_at", 303, 264),
        ("nfsservctl", 180, 42), ("open_by_handle_at", 304, 265), ("perf_event_open", 298, 241), ("pivot_root", 155, 41),
        ("process_vm_readv", 310, 270), ("process_vm_writev", 311, 271), ("query_module", 178, -1), ("quotactl", 179, 60),
        ("reboot", 169, 142), ("request_key", 249, 218), ("set_mempolicy", 238, 237), ("setns", 308, 268),
        ("settimeofday", 164, 170), ("swapon", 167, 224), ("swapoff", 168, 225), ("sysfs", 139, -1), ("_sysctl", 156, -1),
        ("syslog", 103, 116), ("umount2", 166, 39), ("unshare", 272, 97), ("uselib", 134, -1), ("userfaultfd", 323, 282),
        ("ustat", 136, -1), ("vhangup", 153, 58), ("fanotify_init", 300, 262), ("io_uring_setup", 425, 425),
        ("io_uring_enter", 426, 426), ("io_uring_register", 427, 427), ("open_tree", 428, 428), ("move_mount", 429, 429),
        ("fsopen", 430, 430), ("fsconfig", 431, 431), ("fsmount", 432, 432), ("fspick", 433, 433),
        ("pidfd_getfd", 438, 438), ("mount_setattr", 442, 442), ("quotactl_fd", 443, 443),
    ];

    private static readonly Lazy<byte[]?> Current = new(() => Build(RuntimeInformation.ProcessArchitecture));

    /// <summary>The filter for this machine's architecture, or null where no table exists (x86-64 and arm64 have one).</summary>
    public static byte[]? ForThisMachine => Current.Value;

    /// <summary>The compiled program (struct sock_filter[]) for <paramref name="architecture"/>, or null when unsupported.</summary>
    internal static byte[]? Build(Architecture architecture)
    {
        var (auditArch, column, clone, clone3, personality) = architecture switch
        {
            Architecture.X64 => (0xC000003Eu, 0, 56, 435, 135),
            Architecture.Arm64 => (0xC00000B7u, 1, 220, 435, 92),
            _ => (0u, -1, 0, 0, 0),
        };
        if (column < 0)
        {
            return null;
        }

        var program = new BpfProgram();
        program.Load(ArchOffset);
        program.JumpIf(JeqK, auditArch, whenFalse: "deny");
        program.Load(NrOffset);
        if (architecture == Architecture.X64)
        {
            program.JumpIf(JgeK, 0x40000000, whenTrue: "deny"); // the x32 ABI
        }

        foreach (var call in Refused)
        {
            var number = column == 0 ? call.X64 : call.Arm64;
            if (number >= 0)
            {
                program.JumpIf(JeqK, (uint)number, whenTrue: "deny");
            }
        }

        program.JumpIf(JeqK, (uint)clone3, whenTrue: "nosys");
        program.JumpIf(JeqK, (uint)clone, whenFalse: "not-clone");
        program.Load(Arg0LowOffset);
        program.JumpIf(JsetK, NamespaceFlags, whenTrue: "deny", whenFalse: "allow");
        program.Label("not-clone");
        program.JumpIf(JeqK, (uint)personality, whenFalse: "allow");
        program.Load(Arg0LowOffset);
        foreach (var value in AllowedPersonalities)
        {
            program.JumpIf(JeqK, value, whenTrue: "allow");
        }

        program.Label("deny");
        program.Return(RetErrno | EPERM);
        program.Label("nosys");
        program.Return(RetErrno | ENOSYS);
        program.Label("allow");
        program.Return(RetAllow);
        return program.Assemble();
    }

    /// <summary>A tiny assembler: instructions with symbolic jump targets, resolved to the 8-bit forward offsets BPF uses.</summary>
    private sealed class BpfProgram
    {
        private readonly List<(ushort Code, string? True, string? False, uint K)> _code = [];
        private readonly Dictionary<string, int> _labels = new(StringComparer.Ordinal);

        public void Load(uint offset) => _code.Add((LdWAbs, null, null, offset));

        /// <summary>A conditional jump; a missing target falls through to the next instruction.</summary>
        public void JumpIf(ushort code, uint k, string? whenTrue = null, string? whenFalse = null) => _code.Add((code, whenTrue, whenFalse, k));

        public void Return(uint value) => _code.Add((RetK, null, null, value));

        public void Label(string name) => _labels[name] = _code.Count;

        public byte[] Assemble()
        {
            var bytes = new byte[_code.Count * 8];
            for (var i = 0; i < _code.Count; i++)
            {
                var (code, whenTrue, whenFalse, k) = _code[i];
                var span = bytes.AsSpan(i * 8, 8);
                BinaryPrimitives.WriteUInt16LittleEndian(span, code);
                span[2] = Offset(i, whenTrue);
                span[3] = Offset(i, whenFalse);
                BinaryPrimitives.WriteUInt32LittleEndian(span[4..], k);
            }

            return bytes;
        }

        private byte Offset(int from, string? label)
        {
            if (label is null)
            {
                return 0;
            }

            var distance = _labels[label] - from - 1;
            return distance is >= 0 and <= byte.MaxValue
                ? (byte)distance
                : throw new InvalidOperationException($"seccomp jump to '{label}' is out of range ({distance}).");
        }
    }
}
