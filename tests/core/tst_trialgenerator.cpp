#include <QtTest>

class Test_trialgenerator : public QObject {
    Q_OBJECT
};

QTEST_GUILESS_MAIN(Test_trialgenerator)
#include "tst_trialgenerator.moc"
