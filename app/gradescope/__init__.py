"""Gradescope's autograder mode: read /autograder/submission, grade it offline, write
/autograder/results/results.json; and the files a course uploads to set it up."""
