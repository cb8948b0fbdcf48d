"""Nothing of the selection is in the back office: not the procedures, not the applications (not
even their reference and status), not the reads of them. For anybody outside the procedure's
committee, its branch's chair and secretary and the invited adviser (selection/rules.py),
administrators included, a procedure does not exist; its own pages are the only way in.
(`tests/test_admin.py` checks that no selection model is registered.)"""
