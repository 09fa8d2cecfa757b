#include "lvs-distribution.h"

#include <ns3/abort.h>
#include <ns3/double.h>

#include <cmath>

namespace ns3 {

using Kind = lvs::scenario::Distribution::Kind;

Ptr<RandomVariableStream>
MakeRandomVariable(const lvs::scenario::Distribution& d)
{
    switch (d.kind)
    {
    case Kind::kConstant: {
        auto v = CreateObject<ConstantRandomVariable>();
        v->SetAttribute("Constant", DoubleValue(d.mean));
        return v;
    }
    case Kind::kExponential: {
        NS_ABORT_MSG_IF(d.mean <= 0, "exponential distribution needs mean > 0");
        auto v = CreateObject<ExponentialRandomVariable>();
        v->SetAttribute("Mean", DoubleValue(d.mean));
        v->SetAttribute("Bound", DoubleValue(0));
        return v;
    }
    case Kind::kLognormal: {
        NS_ABORT_MSG_IF(d.mean <= 0 || d.sigma < 0, "lognormal needs mean > 0 and sigma >= 0");
        auto v = CreateObject<LogNormalRandomVariable>();
        v->SetAttribute("Mu", DoubleValue(std::log(d.mean) - d.sigma * d.sigma / 2));
        v->SetAttribute("Sigma", DoubleValue(d.sigma));
        return v;
    }
    case Kind::kPareto: {
        NS_ABORT_MSG_IF(d.mean <= 0 || d.shape <= 1, "pareto needs mean > 0 and shape > 1");
        auto v = CreateObject<ParetoRandomVariable>();
        v->SetAttribute("Shape", DoubleValue(d.shape));
        v->SetAttribute("Scale", DoubleValue(d.mean * (d.shape - 1) / d.shape));
        v->SetAttribute("Bound", DoubleValue(0));
        return v;
    }
    case Kind::kUniform: {
        NS_ABORT_MSG_IF(d.max < d.min, "uniform needs min <= max");
        auto v = CreateObject<UniformRandomVariable>();
        v->SetAttribute("Min", DoubleValue(d.min));
        v->SetAttribute("Max", DoubleValue(d.max));
        return v;
    }
    }
    NS_ABORT_MSG("unknown distribution kind");
    return nullptr;
}

double
DistributionMean(const lvs::scenario::Distribution& d)
{
    return d.kind == Kind::kUniform ? (d.min + d.max) / 2 : d.mean;
}

} // namespace ns3
