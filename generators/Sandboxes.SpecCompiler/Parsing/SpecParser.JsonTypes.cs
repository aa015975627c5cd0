using System.Collections.Generic;
using Sandboxes.Generators.Model;

namespace Sandboxes.Generators.Parsing
{
    internal sealed partial class SpecParser
    {
        /// <summary>
        /// The types the JSON context must describe besides the generated ones: property types, bodies and responses (and
        /// the lists, maps and nullable values among them), in a stable order.
        /// </summary>
        private static EquatableArray<TypeRef> CollectJsonTypes(EquatableArray<TypeModel> types, EquatableArray<OperationModel> operations)
        {
            var seen = new HashSet<TypeRef>();
            var ordered = new List<TypeRef>();

            void Add(TypeRef? type, bool nullable = false)
            {
                if (type is null)
                {
                    return;
                }

                if (nullable && type.IsValueType && type.Kind != TypeKind.NullableValue)
                {
                    Add(TypeRef.NullableOf(type));
                }

                if (!seen.Add(type))
                {
                    return;
                }

                ordered.Add(type);
                Add(type.Element);
            }

            foreach (var type in types)
            {
                foreach (var property in type.Properties)
                {
                    Add(property.Type, property.Nullable);
                }

                foreach (var variant in type.Variants)
                {
                    Add(variant.Type, nullable: true);
                }
            }

            foreach (var operation in operations)
            {
                foreach (var parameter in operation.Parameters)
                {
                    Add(parameter.JsonType);
                }

                if (operation.ResponseKind is ResponseKind.Json or ResponseKind.EventData or ResponseKind.JsonLines)
                {
                    Add(operation.ResponseType);
                }
            }

            return ordered.ToEquatableArray();
        }
    }
}
