"""The instructor's tools: student versions, collecting, grading and feedback, on nbgrader.

Run as ``python -m coursetools COMMAND`` from the repository root (the Makefile
targets do); ``python -m coursetools --help`` lists the commands.
"""
