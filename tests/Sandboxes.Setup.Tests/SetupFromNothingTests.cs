using NUnit.Framework;
using Sandboxes.Testing;

namespace Sandboxes.Setup.Tests;

/// <summary>
/// scripts/setup.sh in a Debian root where none of its packages is installed: it must install everything the tests
/// need by name (so a machine where earlier installs linger cannot hide a missing one), and its own check must name
/// what is missing. The checks that run the components (a jail, a container, a kernel) run on the real machine every
/// time the tests do; here the install list is what is proved.
/// </summary>
[TestFixture]
[Category("SetupFromNothing")]
public sealed class SetupFromNothingTests
{
    private FreshRoot _root = null!;

    [OneTimeSetUp]
    public void MakeRoot()
    {
        if (!Environment.IsPrivilegedProcess)
        {
            Requires.Missing("root", "making and entering a fresh root needs root");
        }

        Requires.Executable("debootstrap", "debootstrap");
        Requires.Executable("chroot", "coreutils");
        _root = FreshRoot.Create();
        foreach (var file in new[] { "setup.sh", "prism/package.json", "prism/package-lock.json", "referees/package.json", "referees/package-lock.json" })
        {
            _root.CopyIn(Path.Combine(Requires.RepositoryRoot, "scripts", file), "/checkout/scripts/" + file);
        }
    }

    [OneTimeTearDown]
    public void RemoveRoot() => _root?.Dispose();

    [Test]
    [Order(1)]
    public void The_root_starts_with_none_of_the_packages()
    {
        var (code, output) = _root.Chroot("for p in bubblewrap podman catatonit tmux jupyter-server nodejs; do dpkg-query -W -f='${Status}\\n' $p 2>/dev/null | grep -q 'install ok installed' && echo installed:$p; done; true", TimeSpan.FromMinutes(1));

        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Not.Contain("installed:"));
    }

    [Test]
    [Order(2)]
    public void Setup_installs_everything_the_tests_need_and_checks_it()
    {
        var (code, output) = _root.Chroot("bash /checkout/scripts/setup.sh --install-only", TimeSpan.FromMinutes(25));

        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("every package and file is there"), output);
        var (_, catatonit) = _root.Chroot("ls /usr/libexec/podman/catatonit && bwrap --version && podman --version", TimeSpan.FromMinutes(1));
        Assert.That(catatonit, Does.Contain("/usr/libexec/podman/catatonit").And.Contain("bubblewrap").And.Contain("podman version"));
    }

    [Test]
    [Order(3)]
    public void A_missing_piece_is_named_and_stops_the_set_up()
    {
        var (code, output) = _root.Chroot("mv /usr/libexec/podman/catatonit /usr/libexec/podman/catatonit.away && bash /checkout/scripts/setup.sh --install-only; rc=$?; " +
                                          "mv /usr/libexec/podman/catatonit.away /usr/libexec/podman/catatonit; exit $rc", TimeSpan.FromMinutes(5));

        Assert.That(code, Is.Not.Zero, output);
        Assert.That(output, Does.Contain("FAILED").And.Contain("catatonit"));
    }

    [Test]
    [Order(4)]
    public void A_package_removed_since_is_installed_again()
    {
        var (code, output) = _root.Chroot("dpkg --remove catatonit >/dev/null && bash /checkout/scripts/setup.sh --install-only && ls /usr/libexec/podman/catatonit",
            TimeSpan.FromMinutes(5));

        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("installing catatonit"));
    }
}
