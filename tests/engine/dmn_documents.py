"""DMN documents for tests, written the way Camunda Modeler writes them (DMN 1.3, no diagram)."""
from __future__ import annotations

from html import escape

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"


def dmn(*decisions: str, drg_id: str = "fees", name: str = "Fees", namespace: str = DMN13) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{namespace}" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="{drg_id}" name="{name}" namespace="http://camunda.org/schema/1.0/dmn">
{''.join(decisions)}
</definitions>"""


def _text(value: str) -> str:
    return f"<text>{escape(value, quote=False)}</text>"


def _requirements(required: tuple[str, ...], version_tag: str | None = None) -> str:
    tag = (f'<extensionElements><zeebe:versionTag value="{version_tag}"/></extensionElements>'
           if version_tag else "")
    return tag + "".join(f'<informationRequirement id="req-{r}"><requiredDecision href="#{r}"/></informationRequirement>'
                   for r in required)


def table(decision_id: str, inputs: list[str], outputs: list[str], rules: list[tuple[list[str], list[str]]], *,
          hit_policy: str = "UNIQUE", aggregation: str | None = None, required: tuple[str, ...] = (),
          output_values: dict[str, str] | None = None, name: str | None = None,
          version_tag: str | None = None, defaults: dict[str, str] | None = None) -> str:
    """A decision table: input expressions, output names, rules as ([input entries], [output entries])."""
    policy = f' hitPolicy="{hit_policy}"' if hit_policy != "UNIQUE" else ""
    aggregate = f' aggregation="{aggregation}"' if aggregation else ""
    columns = "".join(f'<input id="in-{i}" label="{escape(text)}"><inputExpression id="ie-{i}" typeRef="string">'
                      f"{_text(text)}</inputExpression></input>" for i, text in enumerate(inputs))
    for i, output in enumerate(outputs):
        values = (output_values or {}).get(output)
        listed = f"<outputValues>{_text(values)}</outputValues>" if values else ""
        default = (defaults or {}).get(output)
        if default:
            listed += f"<defaultOutputEntry>{_text(default)}</defaultOutputEntry>"
        columns += f'<output id="out-{i}" name="{output}" label="{output}" typeRef="string">{listed}</output>'
    body = "".join(
        f'<rule id="{decision_id}-r{n}">'
        + "".join(f'<inputEntry id="{decision_id}-r{n}-i{i}">{_text(e)}</inputEntry>' for i, e in enumerate(entries))
        + "".join(f'<outputEntry id="{decision_id}-r{n}-o{i}">{_text(e)}</outputEntry>' for i, e in enumerate(results))
        + "</rule>"
        for n, (entries, results) in enumerate(rules, start=1))
    return (f'<decision id="{decision_id}" name="{name or decision_id}">{_requirements(required, version_tag)}'
            f'<decisionTable id="{decision_id}-table"{policy}{aggregate}>{columns}{body}</decisionTable></decision>')


def literal(decision_id: str, expression: str, *, required: tuple[str, ...] = (), name: str | None = None,
            version_tag: str | None = None) -> str:
    return (f'<decision id="{decision_id}" name="{name or decision_id}">{_requirements(required, version_tag)}'
            f'<variable id="{decision_id}-var" name="{decision_id}"/>'
            f'<literalExpression id="{decision_id}-expr">{_text(expression)}</literalExpression></decision>')
