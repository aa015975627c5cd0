using NUnit.Framework;

// Fixtures run in parallel, two at a time (the tool is a process each time; the machine has two cores). Terminal tests
// are NonParallelizable: they compare the set of sandboxes before and after.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(2)]
