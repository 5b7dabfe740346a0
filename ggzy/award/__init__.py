"""定标 — from the signed evaluation report to the sealed dossier: candidate publicity and objections, the award
notice and the result notices, the contract signed by both sides, and the archive (T8, T9, T11).

Owns: publicities, objections to the result, awards, contracts and dossiers.
May not: write a section directly (projects' verbs move it), nor read the evaluation's tables (its queries).
"""
