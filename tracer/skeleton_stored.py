"""A stored trace's lines without running the engine again (issue 13).

A structure's template (``skeleton_template``) reads its numbers from the network (inputs,
targets, weights, learning rate, …) and from each step's arrays (pre-activations, error
signals, gradients, updated weights, …). The probe renderings that made the template also show
which row's value each step number is (``skeleton_template.row_picks``): so the step numbers
of a stored trace can be read from its stored values, and only the network (its spec,
compiled) is needed, not the forward and backward passes. ``plan`` works out, for a structure,
where each step number comes from; a structure where the template shows a step number that no
row holds (an intermediate the trace does not list) has no plan and is traced again as before.
Before a plan is kept it must give, on the trace that made the skeleton, the same text as the
trace's own numbers (``skeleton.of``).
"""
import operator
import string

from tracer import skeleton_template as templates


def plan(template: str | None, trace, picks: list[int] | None) -> tuple | None:
    """(network numbers' count, a getter of the step numbers from ``[*values, 0.0]``) for a
    structure, from its template, a trace of it and the row each value is read from (``picks``:
    row r's value is number picks[r]); None where a shown step number is in no row."""
    if template is None or picks is None:
        return None
    net_count = len(templates.gathered_net(trace._net))
    count = len(templates.gathered(trace._net, trace._steps))
    shown = {int(field[2:-1]) for _literal, field, _spec, _conversion in string.Formatter().parse(template)
             if field and field[0] in "01"}
    row_of: dict[int, int] = {}
    for row, number in enumerate(picks):
        row_of.setdefault(number, row)
    alias = _aliases(trace._net, trace._steps, count)
    placeholder = len(picks)  # the 0.0 after the values: a step number the template never shows
    sources = []
    for number in range(net_count, count):
        if number in row_of:
            sources.append(row_of[number])
        elif number in alias and alias[number] in row_of:  # the network's own array, in a step
            sources.append(row_of[alias[number]])
        elif number in shown:
            return None
        else:
            sources.append(placeholder)
    if not sources:
        return net_count, lambda values: ()
    if len(sources) == 1:
        return net_count, lambda values: (values[sources[0]],)
    return net_count, operator.itemgetter(*sources)


def numbers(stored_plan: tuple, net, values) -> list | None:
    """A trace's numbers, as ``skeleton_template.gathered`` lists them, from its compiled network
    and stored ``values`` (one per row); None when the network's count is not the plan's."""
    net_count, step_numbers = stored_plan
    found = templates.gathered_net(net)
    if len(found) != net_count:
        return None
    found += step_numbers([*values, 0.0])
    return found


def _aliases(net, steps, count: int) -> dict[int, int]:
    """Step numbers that are the network's own numbers (a step holding one of the network's
    arrays itself, as the inputs are the first layer's activations): step number → network
    number, in ``skeleton_template.gathered``'s order (its arrays as ``_walk`` finds them);
    empty if the count disagrees."""
    in_net: list = []  # kept while ids are compared: a freed array's id may be taken again
    for name in templates._NET_GATHERED:
        value = getattr(net, name)
        templates._walk({k: v for k, v in value.items() if k != "name"} if name == "optimizer" else value, in_net)
    arrays, at = {}, 0  # id of a network array -> its first number
    for array in in_net:
        arrays.setdefault(id(array), at)
        at += array.size
    in_steps: list = []
    for step in steps:
        for name in templates._STEP_NUMBERS:
            templates._walk(getattr(step, name), in_steps)
    aliases: dict[int, int] = {}
    for array in in_steps:
        first = arrays.get(id(array))
        if first is not None:
            aliases.update({at + i: first + i for i in range(array.size)})
        at += array.size
    return aliases if at == count else {}
