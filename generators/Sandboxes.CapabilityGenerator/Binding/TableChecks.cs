using System;
using System.Collections.Generic;
using System.Linq;

namespace Sandboxes.Generators.Capabilities
{
    /// <summary>
    /// Problems of the tables themselves, reported once per table whether or not an adapter uses it:
    /// malformed tables (SBX111) and two tables with one id (SBX112).
    /// </summary>
    internal static class TableChecks
    {
        public static EquatableArray<DiagnosticInfo> Check(EquatableArray<TableModel> tables)
        {
            var diagnostics = new List<DiagnosticInfo>();
            foreach (var table in tables)
            {
                diagnostics.AddRange(table.Errors);
            }

            foreach (var group in tables.Where(t => t.Id is not null).GroupBy(t => t.Id!, StringComparer.Ordinal))
            {
                var first = group.First();
                foreach (var duplicate in group.Skip(1))
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        CapabilityDiagnostics.DuplicateTable,
                        LocationInfo.StartOf(duplicate.Path),
                        TableParser.DisplayPath(first.Path),
                        TableParser.DisplayPath(duplicate.Path),
                        group.Key));
                }
            }

            return diagnostics.ToEquatableArray();
        }

        /// <summary>SBX104: two adapters registering under one id would silently replace each other at run time.</summary>
        public static EquatableArray<DiagnosticInfo> CheckProviderIds(IEnumerable<AdapterModel> adapters)
        {
            var diagnostics = new List<DiagnosticInfo>();
            foreach (var group in adapters.Where(a => a.CanEmit).GroupBy(a => a.ProviderId, StringComparer.OrdinalIgnoreCase))
            {
                var first = group.First();
                foreach (var duplicate in group.Skip(1))
                {
                    diagnostics.Add(DiagnosticInfo.Create(
                        CapabilityDiagnostics.DuplicateProviderId, duplicate.Location, group.Key, first.FullyQualifiedName, duplicate.FullyQualifiedName));
                }
            }

            return diagnostics.ToEquatableArray();
        }
    }
}
