"""Facts the pack shares with the program: the clouds' naming rules, limits, tag keys, CRD schemas.

The pack is published alone (``pulumi policy publish policies``), so what its rules need lives
here, inside the pack, and the program reads the same facts from here: one source, no copy.
Nothing in this package (or anywhere in ``policies/``) imports the program.
"""
