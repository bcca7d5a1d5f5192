"""Open Badges 3.0 §B (data model) and CLR 2.0 constants: context URLs, types and closed enumerations.

Extensible enumerations accept any value prefixed `ext:` (OB 3.0 §B.3 "extensions").
"""

from __future__ import annotations

import re

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
DATA_INTEGRITY_V2_CONTEXT = "https://w3id.org/security/data-integrity/v2"
STATUS_V1_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"

OB_CONTEXT_PATTERN = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$")
CLR_CONTEXT_PATTERN = re.compile(r"^https://purl\.imsglobal\.org/spec/clr/v2p0/context(-\d+\.\d+\.\d+)*\.json$")
COMPACT_JWS_PATTERN = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$")

OB_CREDENTIAL_TYPES = frozenset({"OpenBadgeCredential", "AchievementCredential"})
ENDORSEMENT_CREDENTIAL_TYPE = "EndorsementCredential"
CLR_CREDENTIAL_TYPE = "ClrCredential"

ACHIEVEMENT_TYPES = frozenset(
    {
        "Achievement",
        "ApprenticeshipCertificate",
        "Assessment",
        "Assignment",
        "AssociateDegree",
        "Award",
        "Badge",
        "BachelorDegree",
        "Certificate",
        "CertificateOfCompletion",
        "Certification",
        "CommunityService",
        "Competency",
        "Course",
        "CoCurricular",
        "Degree",
        "Diploma",
        "DoctoralDegree",
        "Fieldwork",
        "GeneralEducationDevelopment",
        "JourneymanCertificate",
        "LearningProgram",
        "License",
        "Membership",
        "ProfessionalDoctorate",
        "QualityAssuranceCredential",
        "MasterCertificate",
        "MasterDegree",
        "MicroCredential",
        "ResearchDoctorate",
        "SecondarySchoolDiploma",
    }
)

IDENTIFIER_TYPES = frozenset(
    {
        "name",
        "sourcedId",
        "systemId",
        "productId",
        "userName",
        "accountId",
        "emailAddress",
        "nationalIdentityNumber",
        "isbn",
        "issn",
        "lisSourcedId",
        "oneRosterSourcedId",
        "sisSourcedId",
        "ltiContextId",
        "ltiDeploymentId",
        "ltiToolId",
        "ltiPlatformId",
        "ltiUserId",
        "identifier",
    }
)

ALIGNMENT_TARGET_TYPES = frozenset(
    {
        "ceasn:Competency",
        "ceterms:Credential",
        "CFItem",
        "CFRubric",
        "CFRubricCriterion",
        "CFRubricCriterionLevel",
        "CTDL",
    }
)

RESULT_TYPES = frozenset(
    {
        "GradePointAverage",
        "LetterGrade",
        "Percent",
        "PerformanceLevel",
        "PredictedScore",
        "RawScore",
        "Result",
        "RubricCriterion",
        "RubricCriterionLevel",
        "RubricScore",
        "ScaledScore",
        "Status",
    }
)

RESULT_STATUS_TYPES = frozenset({"Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Provisional", "Withdrew"})


def in_extensible_enum(value: object, members: frozenset[str]) -> bool:
    """OB 3.0 §B.3: a member of the enumeration, or an extension term starting with `ext:`."""
    return isinstance(value, str) and (value in members or (value.startswith("ext:") and len(value) > 4))
