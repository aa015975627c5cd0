using System.Collections.Generic;
using System.Linq;
using Sandboxes.Generators.Model;

namespace Sandboxes.Generators.Parsing
{
    /// <summary>
    /// Which generated types are emitted: all of them for a spec without filters, otherwise only those the included
    /// operations reach through their parameters and responses (following properties, union variants, list and map
    /// elements, and a hierarchy's base and variants).
    /// </summary>
    internal sealed partial class SpecParser
    {
        private EquatableArray<TypeModel> FreezeTypes(EquatableArray<OperationModel> operations)
        {
            var all = _types.Select(b => new TypeModel(
                b.Kind,
                b.Name,
                b.Doc,
                b.Properties.ToEquatableArray(),
                b.Members.ToEquatableArray(),
                b.Variants.ToEquatableArray(),
                b.BaseType,
                b.Discriminator,
                b.UnknownVariant)).ToList();
            if (!_request.Filtered)
            {
                return all.ToEquatableArray();
            }

            var byName = all.ToDictionary(t => Qualify(t.Name));
            var reached = new HashSet<string>();
            var pending = new Stack<TypeRef>();
            foreach (var operation in operations)
            {
                foreach (var parameter in operation.Parameters)
                {
                    if (parameter.JsonType is { } json)
                    {
                        pending.Push(json);
                    }

                    // Enums appear in signatures as themselves (query values), not through a JSON type.
                    foreach (var type in all.Where(t => t.Kind == TypeKind.Enum && parameter.CSharpType.Contains(Qualify(t.Name))))
                    {
                        pending.Push(new TypeRef(TypeKind.Enum, Qualify(type.Name), null, true));
                    }
                }

                if (operation.ResponseType is { } response)
                {
                    pending.Push(response);
                }
            }

            while (pending.Count > 0)
            {
                var type = pending.Pop();
                if (type.Element is { } element)
                {
                    pending.Push(element);
                }

                if (!type.IsGenerated || !reached.Add(type.Name) || !byName.TryGetValue(type.Name, out var model))
                {
                    continue;
                }

                foreach (var property in model.Properties)
                {
                    pending.Push(property.Type);
                }

                foreach (var variant in model.Variants)
                {
                    pending.Push(variant.Type);
                }

                if (model.BaseType is { } baseType && byName.TryGetValue(baseType, out var baseModel))
                {
                    pending.Push(new TypeRef(TypeKind.Polymorphic, baseType, null, false));
                    foreach (var sibling in baseModel.Variants)
                    {
                        pending.Push(sibling.Type);
                    }
                }
            }

            return all.Where(t => reached.Contains(Qualify(t.Name))).ToEquatableArray();
        }
    }
}
