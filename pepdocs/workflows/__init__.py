"""The verbs: render, parse, convert, merge, select, batch, cases, tracker."""
