using System;
using System.Collections.Generic;
using System.Linq;

namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// Puts an adapter and its table side by side: checks that they agree (SBX110, SBX113, SBX114, SBX120-SBX122) and
    /// decides what to emit. A malformed table is reported once by <see cref="TableChecks"/>, not here.
    /// </summary>
    internal static class AdapterBinder
    {
        public static BindResult Bind(AdapterModel adapter, EquatableArray<TableModel> tables)
        {
            var diagnostics = new List<DiagnosticInfo>(adapter.Diagnostics);
            if (!adapter.CanEmit)
            {
                return new BindResult(null, diagnostics.ToEquatableArray());
            }

            var table = tables.FirstOrDefault(t => string.Equals(t.Id, adapter.ProviderId, StringComparison.OrdinalIgnoreCase));
            if (table is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(CapabilityDiagnostics.TableMissing, adapter.Location, adapter.ClassName, adapter.ProviderId));
                return new BindResult(null, diagnostics.ToEquatableArray());
            }

            if (!table.IsValid)
            {
                // The table's own errors say what to fix; emitting from half a table would only add noise.
                return new BindResult(null, diagnostics.ToEquatableArray());
            }

            CheckCapabilityIds(adapter, table, diagnostics);
            var stubs = CheckMembers(adapter, table, diagnostics);

            var plan = new AdapterPlan(
                HintName(adapter),
                adapter.Namespace,
                adapter.ClassName,
                adapter.FullyQualifiedName,
                table.Provider,
                table.Capabilities.Select(r => new DescriptorRow(r.Id, r.Support, r.Note)).ToEquatableArray(),
                EmitDescriptor: !adapter.DeclaresDescriptor,
                EmitRegistration: adapter.HasConfigConstructor && !adapter.DeclaresDescriptor,
                stubs.ToEquatableArray());
            return new BindResult(plan, diagnostics.ToEquatableArray());
        }

        private static void CheckCapabilityIds(AdapterModel adapter, TableModel table, List<DiagnosticInfo> diagnostics)
        {
            if (adapter.KnownCapabilities.Count == 0)
            {
                // Capability.Ids was not found (an unusual reference set): nothing to check against.
                return;
            }

            var known = new HashSet<string>(adapter.KnownCapabilities, StringComparer.Ordinal);
            foreach (var row in table.Capabilities)
            {
                if (!known.Contains(row.Id))
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        CapabilityDiagnostics.UnknownCapability, row.Location, table.Provider.Id, row.Id, string.Join(", ", adapter.KnownCapabilities)));
                }
            }

            // A capability the table promises must be done by something: a contract member, or what the id is marked
            // honoured by (a request field, the library). Only checked where the marker exists in this compilation.
            if (adapter.HonouredWithoutOperation.Count > 0)
            {
                var carried = new HashSet<string>(adapter.Members.Select(m => m.CapabilityId).Concat(adapter.HonouredWithoutOperation), StringComparer.Ordinal);
                foreach (var row in table.Capabilities.Where(r => r.Support != SupportLevel.Unsupported && known.Contains(r.Id) && !carried.Contains(r.Id)))
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        CapabilityDiagnostics.CapabilityWithoutOperation, row.Location, table.Provider.Id, row.Id,
                        row.Support == SupportLevel.Native ? "native" : "emulated"));
                }
            }

            var listed = new HashSet<string>(table.Capabilities.Select(r => r.Id), StringComparer.Ordinal);
            var missing = adapter.KnownCapabilities.Where(id => !listed.Contains(id)).ToList();
            if (missing.Count > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    CapabilityDiagnostics.CapabilityNotListed, LocationInfo.StartOf(table.Path), table.Provider.Id, string.Join(", ", missing)));
            }
        }

        private static List<StubPlan> CheckMembers(AdapterModel adapter, TableModel table, List<DiagnosticInfo> diagnostics)
        {
            var stubs = new List<StubPlan>();
            var support = table.Capabilities.ToDictionary(r => r.Id, r => r.Support, StringComparer.Ordinal);
            foreach (var group in adapter.Members.GroupBy(m => m.CapabilityId))
            {
                // A capability the table does not list counts as unsupported (SBX114 says so).
                var level = support.TryGetValue(group.Key, out var found) ? found : SupportLevel.Unsupported;
                if (level != SupportLevel.Unsupported)
                {
                    var missing = group.Where(m => m.State == ImplementationState.NotImplemented).Select(m => m.Name).ToList();
                    if (missing.Count > 0)
                    {
                        diagnostics.Add(DiagnosticInfo.Create(
                            CapabilityDiagnostics.CapabilityNotImplemented,
                            adapter.Location,
                            table.Provider.Id,
                            group.Key,
                            level == SupportLevel.Native ? "native" : "emulated",
                            adapter.ClassName,
                            string.Join(", ", missing)));
                    }

                    continue;
                }

                foreach (var member in group)
                {
                    switch (member.State)
                    {
                        case ImplementationState.ImplementedByAdapter:
                            diagnostics.Add(DiagnosticInfo.Create(
                                CapabilityDiagnostics.UnsupportedCapabilityImplemented,
                                member.OverrideLocation ?? adapter.Location,
                                adapter.ClassName,
                                member.Name,
                                group.Key,
                                table.Provider.Id));
                            break;
                        case ImplementationState.SealedInBase:
                            diagnostics.Add(DiagnosticInfo.Create(
                                CapabilityDiagnostics.MemberNotStubbed, adapter.Location, member.Name, group.Key, adapter.ClassName,
                                "a base class seals its implementation"));
                            break;
                        case var _ when !member.CanStub:
                            diagnostics.Add(DiagnosticInfo.Create(
                                CapabilityDiagnostics.MemberNotStubbed, adapter.Location, member.Name, group.Key, adapter.ClassName,
                                "the generator does not write overrides of generic or ref-returning methods"));
                            break;
                        default:
                            stubs.Add(new StubPlan(member.Name, member.CapabilityId, member.Accessibility, member.ReturnType, member.Parameters));
                            break;
                    }
                }
            }

            return stubs;
        }

        /// <summary>Namespace-qualified, so two adapters of the same name in different namespaces do not collide.</summary>
        private static string HintName(AdapterModel adapter) =>
            (adapter.Namespace is null ? adapter.ClassName : adapter.Namespace + "." + adapter.ClassName) + ".Capabilities.g.cs";
    }
}
