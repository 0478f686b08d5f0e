package org.shufflenet3d.graph;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.functions.DifferentialFunction;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.internal.SameDiffOp;
import org.nd4j.autodiff.samediff.internal.Variable;

/**
 * Reverse-mode differentiation inside the graph itself: the gradient of a scalar with respect to chosen variables,
 * declared as more ops of the same SameDiff instance from each op's own gradient ({@code doDiff}). SameDiff's
 * {@code createGradFunction} does the same in a copy of the graph, made by serialising every op, which loses the
 * settings of ops it cannot serialise (the library's own among them) and prints a line per op.
 */
public final class Gradients {

    private Gradients() {
    }

    /**
     * Declares d{@code scalar}/dv for every variable named in {@code with}, by name. A variable the scalar does not
     * depend on is left out.
     */
    public static Map<String, SDVariable> declare(SameDiff sd, SDVariable scalar, Collection<String> with) {
        List<SameDiffOp> ops = opsBetween(sd, scalar.name(), with);
        Set<String> onPath = new HashSet<>(with);
        for (SameDiffOp op : ops) {
            onPath.addAll(op.getOutputsOfOp());
        }
        Map<String, SDVariable> gradients = new HashMap<>();
        gradients.put(scalar.name(), sd.onesLike(scalar));
        for (int i = ops.size() - 1; i >= 0; i--) {
            SameDiffOp op = ops.get(i);
            List<SDVariable> outputGradients = new ArrayList<>();
            boolean any = false;
            for (String output : op.getOutputsOfOp()) {
                SDVariable gradient = gradients.get(output);
                any |= gradient != null;
                outputGradients.add(gradient != null ? gradient : sd.zerosLike(sd.getVariable(output)));
            }
            if (!any) {
                continue;
            }
            DifferentialFunction function = op.getOp();
            List<SDVariable> inputGradients = function.doDiff(outputGradients);
            List<String> inputs = op.getInputsToOp();
            for (int input = 0; input < inputs.size() && input < inputGradients.size(); input++) {
                String name = inputs.get(input);
                SDVariable gradient = inputGradients.get(input);
                if (gradient != null && onPath.contains(name)) {
                    gradients.merge(name, gradient, SDVariable::add);
                }
            }
        }
        Map<String, SDVariable> result = new LinkedHashMap<>();
        for (String name : with) {
            if (gradients.containsKey(name)) {
                result.put(name, gradients.get(name));
            }
        }
        return result;
    }

    /**
     * The ops on a path from one of the {@code sources} to {@code target}, in the order they run (the graph's ops
     * are kept in the order they were declared, which is one the graph can run in).
     */
    private static List<SameDiffOp> opsBetween(SameDiff sd, String target, Collection<String> sources) {
        Map<String, Variable> variables = sd.getVariables();
        Set<String> reachesTarget = new HashSet<>();
        List<String> pending = new ArrayList<>(List.of(target));
        while (!pending.isEmpty()) {
            String name = pending.remove(pending.size() - 1);
            String producer = variables.get(name).getOutputOfOp();
            if (producer != null && reachesTarget.add(producer)) {
                List<String> inputs = sd.getOps().get(producer).getInputsToOp();
                if (inputs != null) {
                    pending.addAll(inputs);
                }
            }
        }
        Set<String> fromSources = new HashSet<>(sources);
        List<SameDiffOp> between = new ArrayList<>();
        for (SameDiffOp op : new ArrayList<>(sd.getOps().values())) {
            if (!reachesTarget.contains(op.getName())) {
                continue;
            }
            List<String> inputs = op.getInputsToOp();
            if (inputs != null && inputs.stream().anyMatch(fromSources::contains)) {
                fromSources.addAll(op.getOutputsOfOp());
                between.add(op);
            }
        }
        return between;
    }
}
