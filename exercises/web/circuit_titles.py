"""The built-in circuits' titles and descriptions (``generation.circuit_templates``) in English,
marked for the catalogs: pages show them with gettext, and a set item left untitled stores
the English title, which ``labels.translated_title`` translates where it is shown."""
from exercises.grading.messages import N_

GIVEN_TITLE = N_("Practice on a given circuit")
SET_GIVEN_TITLE = N_("Exercise on a given circuit")  # a set item's
# English texts (marked for the catalogs); pages show them with gettext.
TITLES = {
    "cs231n": (N_("CS231n's circuit f = (x + y)·z"),
               N_("Add, then multiply: the first example of CS231n's backpropagation notes. Push "
                  "the gradient back from f to q, x, y and z.")),
    "sigmoid-neuron": (N_("A sigmoid neuron, gate by gate"),
                       N_("f = 1/(1 + e^−(w0·x0 + w1·x1 + w2)) built from multiply, add, negate, "
                          "exp, add-one and 1/x gates, as in CS231n's notes.")),
    "fan-out": (N_("A value used twice: f = x·y + x"),
                N_("x feeds two nodes, so its gradient adds the gradients of both paths "
                   "(micrograd's +=).")),
    "max-gate": (N_("A max gate: f = 2·(x·y + max(z, w))"),
                 N_("The max gate routes the whole gradient to its larger input and none to the "
                    "other.")),
    "division": (N_("A division gate: f = (x + y)/z"),
                 N_("The gradient of a quotient with respect to its denominator: mind the sign "
                    "and the numerator.")),
}
