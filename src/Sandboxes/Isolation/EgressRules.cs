using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Sandboxes.Isolation;

/// <summary>
/// The packet filter of a sandbox's own network namespace when it reaches out through a user-mode network stack
/// (slirp4netns): <c>iptables-restore</c> input for IPv4 and IPv6. Loaded by the client before the stack starts, in a
/// namespace whose owner user namespace leaves the sandbox no CAP_NET_ADMIN, so nothing inside can change it.
/// </summary>
/// <remarks>
/// The user-mode stack connects from the host, so without a filter the sandbox would reach whatever the host reaches:
/// its own addresses (services bound to 0.0.0.0), the LAN, cloud metadata at 169.254.169.254, other containers. The
/// filter rejects every special-purpose range (RFC 6890: loopback, this-network, RFC 1918 private, CGNAT, link-local,
/// IETF protocol assignments, multicast, reserved, broadcast) and every address of the host's interfaces, except the
/// stack's DNS forwarder on port 53 and what the allow list names. IPv6 is not routed by the stack; the filter rejects
/// all of it but loopback and allowed networks all the same, so that a stack started with IPv6 cannot open a way round.
/// Rejections answer at once (a TCP reset, an ICMP error) rather than dropping, so a blocked connect fails fast.
/// </remarks>
internal static class EgressRules
{
    /// <summary>The DNS forwarder slirp4netns answers on inside the sandbox.</summary>
    public const string DnsForwarder = "10.0.2.3";

    /// <summary>The gateway slirp4netns answers on inside the sandbox: the host (its loopback, unless mapping is disabled).</summary>
    public const string Gateway = "10.0.2.2";

    /// <summary>IPv4 networks no sandbox with <see cref="NetworkPolicy.Internet"/> reaches unless allowed.</summary>
    public static readonly IReadOnlyList<string> BlockedV4 =
    [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
    ];

    /// <summary>
    /// The <c>iptables-restore</c> input for one address family.
    /// </summary>
    /// <param name="ipv6">True for the IPv6 table.</param>
    /// <param name="internet">True when the public internet is reachable (<see cref="NetworkPolicy.Internet"/>); false when only the allowed networks are.</param>
    /// <param name="allowed">Networks reachable whatever the other rules say (CIDRs of either family; the other family's are left out).</param>
    /// <param name="hostAddresses">The host's own addresses, rejected unless allowed.</param>
    public static string For(bool ipv6, bool internet, IEnumerable<string> allowed, IEnumerable<IPAddress> hostAddresses)
    {
        var family = ipv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var text = new StringBuilder();
        text.Append("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n");
        text.Append("-A OUTPUT -o lo -j ACCEPT\n");
        if (!ipv6)
        {
            text.Append(CultureInfo.InvariantCulture, $"-A OUTPUT -d {DnsForwarder}/32 -p udp --dport 53 -j ACCEPT\n");
            text.Append(CultureInfo.InvariantCulture, $"-A OUTPUT -d {DnsForwarder}/32 -p tcp --dport 53 -j ACCEPT\n");
        }

        var allowedHere = allowed.Where(n => FamilyOf(n) == family).ToList();
        // The host itself (its addresses, and the stack's gateway, which is the host) comes before the allow list: a
        // network allowed for its other machines does not open the host's own services. Naming one alone opens it.
        var host = hostAddresses.Where(a => a.AddressFamily == family).Select(a => a + (ipv6 ? "/128" : "/32"))
            .Concat(ipv6 ? [] : [Gateway + "/32"])
            .Where(a => !allowedHere.Contains(a, StringComparer.Ordinal));
        Reject(text, host, ipv6);
        foreach (var network in allowedHere)
        {
            text.Append(CultureInfo.InvariantCulture, $"-A OUTPUT -d {network} -j ACCEPT\n");
        }

        // The stack routes no IPv6: nothing but loopback and allowed networks.
        Reject(text, ipv6 ? ["::/0"] : internet ? BlockedV4 : ["0.0.0.0/0"], ipv6);

        text.Append("COMMIT\n");
        return text.ToString();
    }

    private static void Reject(StringBuilder text, IEnumerable<string> networks, bool ipv6)
    {
        foreach (var network in networks.Distinct(StringComparer.Ordinal))
        {
            text.Append(CultureInfo.InvariantCulture, $"-A OUTPUT -d {network} -p tcp -j REJECT --reject-with tcp-reset\n");
            text.Append(CultureInfo.InvariantCulture,
                $"-A OUTPUT -d {network} -j REJECT --reject-with {(ipv6 ? "icmp6-adm-prohibited" : "icmp-admin-prohibited")}\n");
        }
    }

    /// <summary>
    /// Turns allow-list entries (an IP address, a CIDR, or a host name, resolved now) into CIDRs.
    /// </summary>
    /// <param name="provider">The provider, for errors.</param>
    /// <param name="entries">The entries as the caller gave them.</param>
    /// <param name="cancellationToken">Cancels name resolution.</param>
    /// <exception cref="BadConfigException">An entry is neither an address, a network nor a name that resolves.</exception>
    public static async Task<IReadOnlyList<string>> ResolveAsync(string provider, IEnumerable<string> entries, CancellationToken cancellationToken)
    {
        var networks = new List<string>();
        foreach (var raw in entries)
        {
            var entry = raw.Trim();
            if (IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network.ToString());
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                networks.Add(address + (address.AddressFamily == AddressFamily.InterNetworkV6 ? "/128" : "/32"));
            }
            else if (Uri.CheckHostName(entry) == UriHostNameType.Dns)
            {
                IPAddress[] addresses;
                try
                {
                    addresses = await Dns.GetHostAddressesAsync(entry, cancellationToken).ConfigureAwait(false);
                }
                catch (SocketException e)
                {
                    throw new BadConfigException(provider, $"The allowed host '{entry}' does not resolve: {e.Message}");
                }

                networks.AddRange(addresses.Select(a => a + (a.AddressFamily == AddressFamily.InterNetworkV6 ? "/128" : "/32")));
            }
            else
            {
                throw new BadConfigException(provider, $"'{entry}' is not a host name, an IP address or a network (CIDR) to allow.");
            }
        }

        return networks.Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The addresses of every interface of the host's network namespace.</summary>
    public static IReadOnlyList<IPAddress> HostAddresses() =>
        System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(i => i.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => !a.IsIPv6LinkLocal) // already in the blocked ranges, and iptables takes no zone index
            .ToList();

    private static AddressFamily FamilyOf(string network) =>
        IPNetwork.TryParse(network, out var parsed) ? parsed.BaseAddress.AddressFamily : AddressFamily.Unknown;
}
