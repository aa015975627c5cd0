using NUnit.Framework;

namespace Sandboxes.Tests.Core;

/// <summary>
/// Scoped secrets: registered while a holder keeps them, counted so that two holders do not release each other's, and
/// released when the last is done; a secret registered for the process stays.
/// </summary>
[TestFixture]
public sealed class SecretScrubberTests
{
    [Test]
    public void A_scoped_secret_is_scrubbed_until_its_last_holder_lets_go()
    {
        var secret = NewSecret();
        var first = SecretScrubber.RegisterScoped(secret);
        var second = SecretScrubber.RegisterScoped(secret);

        first.Dispose();
        first.Dispose(); // twice is once: it must not release the second holder's registration
        Assert.That(SecretScrubber.Scrub("token " + secret), Does.Not.Contain(secret), "the second holder still keeps it");

        second.Dispose();
        Assert.That(SecretScrubber.IsRegistered(secret), Is.False);
        Assert.That(SecretScrubber.Scrub("plain " + secret), Is.EqualTo("plain " + secret), "released: no longer masked");
    }

    [Test]
    public void A_secret_registered_for_the_process_outlives_its_scoped_holders()
    {
        var secret = NewSecret();
        using (SecretScrubber.RegisterScoped(secret))
        {
            SecretScrubber.Register(secret);
        }

        Assert.That(SecretScrubber.IsRegistered(secret), Is.True);
        using (SecretScrubber.RegisterScoped(secret))
        {
        }

        Assert.That(SecretScrubber.IsRegistered(secret), Is.True);
    }

    [Test]
    public void Values_too_short_to_be_secrets_are_not_registered()
    {
        using var registration = SecretScrubber.RegisterScoped("abc");

        Assert.That(SecretScrubber.IsRegistered("abc"), Is.False);
        Assert.That(SecretScrubber.RegisterScoped(null), Is.Not.Null, "a null token gets a registration that does nothing");
    }

    [Test]
    public void Holders_racing_on_one_secret_leave_it_registered_exactly_while_one_holds_it()
    {
        var secret = NewSecret();
        var outer = SecretScrubber.RegisterScoped(secret);

        Parallel.For(0, 8, _ =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                SecretScrubber.RegisterScoped(secret).Dispose();
            }
        });

        Assert.That(SecretScrubber.IsRegistered(secret), Is.True, "the outer holder still keeps it");
        outer.Dispose();
        Assert.That(SecretScrubber.IsRegistered(secret), Is.False);
    }

    private static string NewSecret() => "secret-" + Guid.NewGuid().ToString("N");
}
