#pragma once
// lvs::scenario::Distribution → an ns-3 RandomVariableStream with the same
// mean: what the scenario file says for service times and message sizes.

#include "scenario/scenario.h"

#include <ns3/random-variable-stream.h>

namespace ns3 {

// constant     → ConstantRandomVariable(Constant = mean)
// exponential  → ExponentialRandomVariable(Mean = mean, unbounded)
// lognormal    → LogNormalRandomVariable(Mu = ln(mean) − sigma²/2, Sigma = sigma)
// pareto       → ParetoRandomVariable(Shape = shape, Scale = mean·(shape−1)/shape)
// uniform      → UniformRandomVariable(Min = min, Max = max)
// Aborts on parameters with no finite mean (pareto shape ≤ 1, sigma < 0, …):
// the scenario parser reports them first with file:line:column.
Ptr<RandomVariableStream> MakeRandomVariable(const lvs::scenario::Distribution& d);

// The mean the stream above has (for reports and tests).
double DistributionMean(const lvs::scenario::Distribution& d);

} // namespace ns3
